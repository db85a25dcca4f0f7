"""The delivery rig as a fixture (`tests.bot.notifications.delivery_rig`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.bot.notifications.delivery_rig import Rig, delivery_rig


@pytest.fixture
async def rig(database_url: str) -> AsyncIterator[Rig]:
    async with delivery_rig(database_url) as made:
        yield made

"""Only allowed tenants get answers; the rest are logged and counted."""

from __future__ import annotations

from pathlib import Path

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.web.tenants import TenantGate, tenant_of

OURS = "7a1b2c3d-0000-4000-8000-000000000001"


def test_tenant_is_read_from_channel_data_or_conversation() -> None:
    scene = TeamsScene(tenant_id=OURS.upper())
    assert tenant_of(scene.message("hei")) == OURS
    assert tenant_of({"conversation": {"tenantId": OURS}}) == OURS
    assert tenant_of({"type": "message"}) is None


def test_gate_admits_allowed_and_counts_the_rest() -> None:
    gate = TenantGate([OURS, " "])
    assert gate.admits(TeamsScene(tenant_id=OURS).message("hei"))
    assert not gate.admits(TeamsScene(tenant_id="ffffffff-0000-4000-8000-000000000009")
                           .message("hei"))
    assert not gate.admits({"type": "message"})
    assert gate.refused == 2


def test_no_list_means_every_tenant() -> None:
    gate = TenantGate([])
    assert not gate.active and gate.admits({"type": "message"})


async def test_other_tenants_get_no_answer_and_are_counted(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    from dataclasses import replace

    from aiohttp import ClientSession

    from tests.bot.conftest import post, running_bot, settings_for

    settings = replace(settings_for(demo_url, tmp_path), allowed_tenant_ids=(OURS,))
    async with running_bot(settings) as url:
        ours = TeamsScene(service_url=connector.url, tenant_id=OURS)
        stranger = TeamsScene(service_url=connector.url,
                              tenant_id="ffffffff-0000-4000-8000-000000000009")
        assert (await post(url, stranger.message("Hvem eier DHO?")))[0] == 202
        assert (await post(url, ours.message("Hvem eier DHO?")))[0] in (200, 201)
        replies = [a for a in connector.activities if a.type == "message"]
        assert len(replies) == 1 and "Hilde Johansen" in (replies[0].text or "")
        async with ClientSession() as client, client.get(
                url.replace("/api/messages", "/metrics")) as response:
            assert "portfoliobot_foreign_tenant_activities_total 1" in await response.text()

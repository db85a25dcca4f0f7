"""The typing indicator: typing while a turn is slow, and nothing once the turn has ended.

botbuilder's `TestAdapter` stands in for the connector; the one below answers a typing
activity slowly and, when cancelled mid-send, reports a timeout instead, as aiohttp can
when its own timeout fires at the same moment. The turn must still end.
"""

from __future__ import annotations

import asyncio
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.middleware.typing_indicator import TypingIndicator


class SlowConnector(TestAdapter):  # type: ignore[misc]
    """Sends take `seconds`; a cancelled send comes back as a TimeoutError, not cancelled."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.typing_sent = 0

    async def send_activities(self, context: TurnContext, activities: list[Activity]) -> Any:
        try:
            await asyncio.sleep(self.seconds)
        except asyncio.CancelledError:
            raise TimeoutError("the attempt timed out") from None
        self.typing_sent += sum(1 for a in activities if a.type == ActivityTypes.typing)
        return []


def message_turn(adapter: TestAdapter) -> TurnContext:
    return TurnContext(adapter, Activity(
        type=ActivityTypes.message, text="hei", channel_id="msteams", id="m1",
        service_url="http://127.0.0.1:1/", conversation=ConversationAccount(id="c1"),
        from_property=ChannelAccount(id="u1"), recipient=ChannelAccount(id="bot")))


async def test_typing_is_sent_while_a_turn_is_slow() -> None:
    adapter = SlowConnector(seconds=0.0)
    indicator = TypingIndicator(delay=0.01, period=0.05)

    async def slow_logic() -> None:
        await asyncio.sleep(0.3)

    await indicator.on_turn(message_turn(adapter), slow_logic)
    sent = adapter.typing_sent
    assert 2 <= sent <= 8, sent
    await asyncio.sleep(0.2)
    assert adapter.typing_sent == sent, "no typing after the turn"


async def test_a_quick_turn_sends_no_typing() -> None:
    adapter = SlowConnector(seconds=0.0)

    async def quick_logic() -> None:
        return None

    await TypingIndicator(delay=0.05, period=0.05).on_turn(message_turn(adapter), quick_logic)
    await asyncio.sleep(0.1)
    assert adapter.typing_sent == 0


async def test_the_turn_ends_when_a_typing_send_swallows_its_cancel() -> None:
    adapter = SlowConnector(seconds=1.0)   # the typing send is in flight when the turn ends
    indicator = TypingIndicator(delay=0.0, period=0.01)

    async def logic() -> None:
        await asyncio.sleep(0.1)

    await asyncio.wait_for(indicator.on_turn(message_turn(adapter), logic), 2.0)
    assert adapter.typing_sent == 0

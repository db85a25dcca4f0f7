"""The activity handler through botbuilder's TestAdapter, over the real demo snapshot."""

from __future__ import annotations

from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ActivityTypes, ChannelAccount, ConversationAccount

from bot.cards.answer_cards import CARD_CONTENT_TYPE, shown_text
from bot.handlers.activity_handler import PortfolioBot
from bot.middleware.turn_errors import on_turn_error
from knowledge.answers.answering import Answerer
from knowledge.portfolio.snapshot import Snapshot


@pytest.fixture
def adapter(demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> TestAdapter:
    bot = PortfolioBot(demo_answerer, lambda: sqlite_demo_snapshot)
    test_adapter = TestAdapter(bot.on_turn)
    test_adapter.on_turn_error = on_turn_error
    return test_adapter


def card_of(activity: Activity) -> dict[str, Any]:
    assert activity.attachments, "the reply carries no card"
    attachment = activity.attachments[0]
    assert attachment.content_type == CARD_CONTENT_TYPE
    content: dict[str, Any] = attachment.content
    return content


async def ask(adapter: TestAdapter, text: str | None, value: Any = None,
              locale: str = "nb-NO") -> Activity:
    activity = Activity(type=ActivityTypes.message, text=text, value=value, locale=locale)
    await adapter.receive_activity(activity)
    reply = adapter.get_next_activity()
    assert reply is not None, f"no reply to {text!r}"
    return reply


async def test_question_is_answered_with_the_card_only(adapter: TestAdapter) -> None:
    reply = await ask(adapter, "Hvem eier Regional EPJ-modernisering?")
    assert reply.text is None, "Teams would show a text above the card: the words twice"
    assert "Hilde Johansen" in shown_text(reply) and reply.summary == shown_text(reply)
    card = card_of(reply)
    assert card["version"] == "1.5" and card["refresh"]["action"]["verb"] == "refreshProject"
    assert "Hilde Johansen" in str(card["body"])


async def test_clarification_buttons_answer_for_the_chosen_project(adapter: TestAdapter) -> None:
    reply = await ask(adapter, "status trådløst nett")
    actions = card_of(reply)["actions"]
    titles = [a["title"] for a in actions]
    assert any("fase II" in t for t in titles) and any("fase I " in t + " " for t in titles)
    assert titles[-1] == "Ingen av disse"
    phase_one = next(a for a in actions if a["title"].startswith("Trådløst nett fase I "))
    answer = await ask(adapter, None, value=phase_one["data"])
    assert "Trådløst nett fase I" in shown_text(answer) and "fase II" not in shown_text(answer)
    none = await ask(adapter, None, value=actions[-1]["data"])
    assert "prosjektkode" in shown_text(none)


async def test_forged_or_stale_button_gets_a_clear_answer(adapter: TestAdapter) -> None:
    reply = await ask(adapter, None, value={"portfoliobot": "followup", "intent": "nope"})
    assert "eldre svar" in shown_text(reply)
    reply = await ask(adapter, None, value=["not", "a", "dict"], locale="en-US")
    assert "older answer" in shown_text(reply)


async def test_a_stale_button_is_answered_in_its_own_language(adapter: TestAdapter) -> None:
    reply = await ask(adapter, None, value={"portfoliobot": "followup", "intent": "nope",
                                            "lang": "en"})
    assert "older answer" in shown_text(reply)


async def test_command_and_question_buttons_are_answered_as_typed(adapter: TestAdapter) -> None:
    reply = await ask(adapter, None, value={
        "msteams": {"type": "messageBack", "text": "Hvem eier Regional EPJ-modernisering?",
                    "displayText": "Hvem eier Regional EPJ-modernisering?"}})
    assert "Hilde Johansen" in shown_text(reply)


async def test_too_long_message_is_refused_politely(adapter: TestAdapter) -> None:
    reply = await ask(adapter, "status " * 1000, locale="en-US")
    assert "too long" in shown_text(reply)


async def test_english_question_answered_in_english(adapter: TestAdapter) -> None:
    reply = await ask(adapter, "who leads the cloud platform?", locale="nb-NO")
    assert "project manager" in shown_text(reply) and "Magnus Eriksen" in shown_text(reply)


async def test_welcome_when_the_bot_is_added(adapter: TestAdapter) -> None:
    update = Activity(
        type=ActivityTypes.conversation_update, locale="en-US",
        members_added=[ChannelAccount(id="bot", name="Bot")],
        recipient=ChannelAccount(id="bot", name="Bot"),
        conversation=ConversationAccount(id="convo"),
    )
    await adapter.receive_activity(update)
    reply = adapter.get_next_activity()
    assert reply is not None and "portfolio bot" in shown_text(reply)
    assert card_of(reply)["actions"], "the welcome card offers example questions"


async def test_reactions_and_typing_are_accepted_quietly(adapter: TestAdapter) -> None:
    await adapter.receive_activity(Activity(type=ActivityTypes.message_reaction))
    await adapter.receive_activity(Activity(type=ActivityTypes.typing))
    assert adapter.get_next_activity() is None


async def test_a_failing_turn_tells_the_user_and_the_next_turn_works(
        demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    class Broken(PortfolioBot):
        calls = 0

        async def on_message_activity(self, turn_context: TurnContext) -> None:
            Broken.calls += 1
            if Broken.calls == 1:
                raise RuntimeError("secret internal detail")
            await super().on_message_activity(turn_context)

    bot = Broken(demo_answerer, lambda: sqlite_demo_snapshot)
    adapter = TestAdapter(bot.on_turn)
    adapter.on_turn_error = on_turn_error
    first = await ask(adapter, "status DHO")
    assert "noe gikk galt" in shown_text(first) and "secret" not in shown_text(first)
    second = await ask(adapter, "status DHO")
    assert "DHO" in shown_text(second) or "Prosessplattform" in shown_text(second)

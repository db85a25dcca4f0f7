"""One message per reply (issue 13): every kind of message the bot posts is either a card with
nothing else to show (no `text`, the plain text in `summary` and the card's `fallbackText`) or
plain text with no card. Teams shows an activity's text above its card, so a message with both
shows its words twice.

Through HTTP and the connector stand-in, on SQLite and PostgreSQL: the running bot on the demo
portfolio answers each kind of question, command and button, posts a notification to a
subscribed channel, and its delivery worker sends a weekly digest and a reminder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from bot.notifications.digest import Digests
from bot.notifications.notifier import Notifier
from bot.notifications.outbox import OutboxStore
from bot.notifications.subscriptions import SubscriptionStore
from bot.storage.bot_database import open_bot_database
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.sync import Syncer
from tests.bot.conftest import post
from tests.bot.handlers.test_status_updates import LISE, MAGNUS, UPDATE

MENTION = "Hvem eier Regional EPJ-modernisering?"
# What to send in a personal chat, and a word the reply must show (so the kind was reached).
PERSONAL_CHAT = {
    "greeting": ("hei", "porteføljeboten"),
    "thanks": ("takk", "hyggelig"),
    "help": ("hjelp", "Dette kan du også skrive"),
    "not understood": ("blåbærsyltetøy med vafler", "forstod jeg ikke"),
    "not found": ("Er robotkirurgi overført?", "fant ikke"),
    "owner": (MENTION, "Hilde Johansen"),
    "manager": ("Hvem leder trådløst nett fase II?", "Magnus Eriksen"),
    "people": ("Hvem jobber med DHO?", "Folk i"),
    "status": ("Hva er status på trådløst nett fase II?", "Status for"),
    "transfer": ("Er DHO overført?", "overført"),
    "overview": ("Fortell om DHO", "Fase"),
    "person": ("Hvilke prosjekter har Ola Hansen?", "Ola Hansen"),
    "list": ("Hvilke prosjekter er røde?", "prosjekt"),
    "count": ("Hvor mange prosjekter er overført?", "prosjekt"),
    "faq": ("Hva er STIM?", "STIM"),
    "clarification": ("status trådløst nett", "Hvilken mener du"),
    "too long": ("status " * 1000, "for lang"),
    "my projects": ("mine prosjekter", "Trådløst nett fase II"),
    "status form": ("statusskjema", "Ny statusrapport"),
    "status posted": (UPDATE, "lagret"),
    "status withdrawn": ("angre", "trukket tilbake"),
    "nothing to undo": ("angre", "ingen statusoppdatering"),
}
CHANNEL = {
    "subscribed": ("abonner trådløst nett fase II", "abonnerer nå"),
    "subscriptions": ("abonnementer", "abonnerer på"),
    "subscription help": ("abonner kun blåbær", "abonnere på"),
}


def one_message_problem(message: RecordedActivity) -> str | None:
    """Why `message` would not show as exactly one message in Teams; None when it would."""
    cards = message.adaptive_cards
    if len(message.attachments) > 1 or len(cards) != len(message.attachments):
        return f"{len(message.attachments)} attachments, {len(cards)} Adaptive Card(s)"
    if cards:
        summary = message.activity.get("summary")
        if message.text:
            return "a card and a text: Teams shows both"
        if not summary or cards[0].get("fallbackText") != summary:
            return f"the card's summary {summary!r} is not its fallback text"
        return None
    return None if message.text else "neither a card nor a text"


async def exchange(url: str, connector: LocalConnector, body: dict[str, Any],
                   count: int = 1) -> list[RecordedActivity]:
    seen = len(connector.activities)
    status, _ = await post(url, body)
    assert status in (200, 201), status
    return await connector.wait_for(lambda a: a.type == "message" and a.operation != "delete",
                                    since=seen, timeout=10) if count else []


def check(kind: str, messages: list[RecordedActivity], expected: str) -> list[str]:
    wrong = [f"{kind}: {problem}" for message in messages
             if (problem := one_message_problem(message)) is not None]
    shown = "\n".join(message.shown_text for message in messages)
    if expected.casefold() not in shown.casefold():
        wrong.append(f"{kind}: {expected!r} not in {shown[:160]!r}")
    return wrong


def button_value(message: RecordedActivity, title: Callable[[str], bool]) -> Any:
    [card] = message.adaptive_cards
    return next(action["data"] for action in card["actions"] if title(action["title"]))


async def test_every_reply_kind_is_one_message(
        bot_url: str, connector: LocalConnector, demo_url: str) -> None:
    lead = TeamsScene(service_url=connector.url, aad_object_id=MAGNUS, user_name="Magnus Eriksen")
    channel = TeamsScene(service_url=connector.url, scope="channel")
    connector.members = [lead.member(), channel.member()]
    wrong = check("welcome", await exchange(bot_url, connector, lead.install()), "porteføljeboten")
    for kind, (text, expected) in PERSONAL_CHAT.items():
        wrong += check(kind, await exchange(bot_url, connector, lead.message(text)), expected)
    english = lead.with_options(locale="en-US")
    wrong += check("English answer", await exchange(
        bot_url, connector, english.message("Who owns Regional EPJ-modernisering?")), "Hilde")

    [clarification] = await exchange(bot_url, connector, lead.message("status trådløst nett"))
    chosen = button_value(clarification, lambda title: title.startswith("Trådløst nett fase I "))
    wrong += check("clarification button", await exchange(bot_url, connector, lead.card_submit(
        chosen, reply_to_id=clarification.activity_id)), "Trådløst nett fase I")
    none = button_value(clarification, lambda title: title == "Ingen av disse")
    wrong += check("none of these", await exchange(bot_url, connector, lead.card_submit(
        none, reply_to_id=clarification.activity_id)), "prosjektkode")
    wrong += check("stale button", await exchange(bot_url, connector, lead.card_submit(
        {"portfoliobot": "followup", "intent": "nope"}, reply_to_id="1")), "eldre svar")

    member = TeamsScene(service_url=connector.url, aad_object_id=LISE)
    wrong += check("refusal", await exchange(bot_url, connector, member.message(UPDATE)),
                   "kan ikke")

    for kind, (text, expected) in CHANNEL.items():
        wrong += check(kind, await exchange(bot_url, connector, channel.message(text)), expected)
    seen = len(connector.activities)
    await exchange(bot_url, connector, lead.message(
        "status Trådløst nett fase II: rød – strømbrudd i Tønsberg"))
    [notice] = await connector.wait_for(
        lambda a: a.type == "message" and "Ny status for" in a.shown_text, since=seen, timeout=10)
    wrong += check("notification", [notice], "rød")

    database = await open_bot_database(demo_url)
    try:
        subscriptions, outbox = SubscriptionStore(database), OutboxStore(database)
        snapshot = await _snapshot(demo_url)
        digests = Digests(Notifier(database, subscriptions, outbox, lambda: snapshot))
        now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
        seen = len(connector.activities)
        assert await digests.send_digests(now) >= 1
        [digest] = await connector.wait_for(
            lambda a: a.type == "message" and "Ukesoppsummering" in a.shown_text,
            since=seen, timeout=15)
        wrong += check("digest", [digest], "Røde prosjekter")
        assert await digests.send_reminders(now) >= 1
        [reminder] = await connector.wait_for(
            lambda a: a.type == "message" and "Siste statusrapport" in a.shown_text,
            since=seen, timeout=15)
        wrong += check("reminder", [reminder], "dager gammel")
    finally:
        await database.close()

    wrong += check("unsubscribed", await exchange(bot_url, connector, channel.message(
        "avslutt abonnement trådløst nett fase II")), "avsluttet")
    assert not wrong, "\n".join(wrong)
    every = [a for a in connector.activities if a.type == "message"]
    assert all(one_message_problem(a) is None for a in every), json.dumps(
        [a.activity for a in every if one_message_problem(a)], ensure_ascii=False)[:2000]


async def _snapshot(url: str) -> Snapshot | None:
    syncer = Syncer(url)
    try:
        await syncer.sync()
        return syncer.snapshot
    finally:
        await syncer.close()

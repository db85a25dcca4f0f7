"""`portfoliobot chat`: the card-to-text renderer, and whole chats against a real CloudAdapter.

The end-to-end tests host a tiny echo bot behind botbuilder's own CloudAdapter in emulator
mode (no app id) on 127.0.0.1, and drive `run_chat` with scripted input: the chat's local
connector receives the bot's replies over HTTP exactly as with `portfoliobot serve`.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, Attachment, ChannelAccount

from bot.cli.chat import CardButton, render_attachment, render_card, run_chat, submit_payload
from bot.cli.main import _parser

ADAPTIVE = "application/vnd.microsoft.card.adaptive"

# The layout of the classic "activity update" Adaptive Card sample: heading, a ColumnSet
# with an avatar and two text lines, a FactSet, a ShowCard holding inputs, an OpenUrl.
ACTIVITY_UPDATE_CARD: dict[str, Any] = {
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "TextBlock", "text": "Statusrapport levert", "weight": "Bolder",
         "size": "Medium", "wrap": True},
        {"type": "ColumnSet", "columns": [
            {"type": "Column", "width": "auto", "items": [
                {"type": "Image", "url": "https://example.invalid/avatar.png",
                 "altText": "Magnus Eriksen", "size": "Small", "style": "Person"}]},
            {"type": "Column", "width": "stretch", "items": [
                {"type": "TextBlock", "text": "Magnus Eriksen", "weight": "Bolder",
                 "wrap": True},
                {"type": "TextBlock", "spacing": "None", "isSubtle": True, "wrap": True,
                 "text": "Levert {{DATE(2026-11-18T10:00:00Z, SHORT)}}"}]}]},
        {"type": "TextBlock", "wrap": True,
         "text": "Akuttmottakene ved OUS og Ahus har fått **full dekning**\\."},
        {"type": "FactSet", "facts": [
            {"title": "Prosjekt:", "value": "Trådløst nett fase II (ST-007)"},
            {"title": "Status:", "value": "grønn"}]},
        {"type": "Image", "url": "https://example.invalid/decoration.png"},
        {"type": "TextBlock", "text": "skjult", "isVisible": False},
    ],
    "actions": [
        {"type": "Action.ShowCard", "title": "Kommenter", "card": {
            "type": "AdaptiveCard",
            "body": [{"type": "Input.Text", "id": "comment", "isMultiline": True,
                      "label": "Kommentar", "placeholder": "Skriv en kommentar"}],
            "actions": [{"type": "Action.Submit", "title": "OK",
                         "data": {"action": "comment"}}]}},
        {"type": "Action.OpenUrl", "title": "Åpne i porteføljen",
         "url": "https://portfolio.example/projects/ST-007"},
    ],
}

# A Teams-flavoured card: RichTextBlock, Table, a ChoiceSet and a Toggle, an ActionSet with
# messageBack and imBack submits, and an Action.Execute.
TEAMS_CARD: dict[str, Any] = {
    "type": "AdaptiveCard",
    "version": "1.5",
    "body": [
        {"type": "RichTextBlock", "inlines": [
            {"type": "TextRun", "text": "Flere prosjekter passer: ", "weight": "Bolder"},
            "velg ett"]},
        {"type": "Table", "columns": [{"width": 1}, {"width": 2}], "rows": [
            {"type": "TableRow", "cells": [
                {"type": "TableCell", "items": [{"type": "TextBlock", "text": "ST-007"}]},
                {"type": "TableCell", "items": [
                    {"type": "TextBlock", "text": "Trådløst nett fase II"}]}]},
            {"type": "TableRow", "cells": [
                {"type": "TableCell", "items": [{"type": "TextBlock", "text": "ST-008"}]},
                {"type": "TableCell", "items": [
                    {"type": "TextBlock", "text": "Trådløst nett fase I"}]}]}]},
        {"type": "Input.ChoiceSet", "id": "phase", "label": "Fase", "value": "II",
         "choices": [{"title": "Fase I", "value": "I"}, {"title": "Fase II", "value": "II"}]},
        {"type": "Input.Toggle", "id": "notify", "title": "Varsle meg", "value": "false"},
        {"type": "ActionSet", "actions": [
            {"type": "Action.Submit", "title": "Vis status",
             "data": {"msteams": {"type": "messageBack", "text": "status ST-007",
                                  "displayText": "Vis status",
                                  "value": "{\"code\": \"ST-007\"}"}, "origin": "card"}},
            {"type": "Action.Submit", "title": "Spør på nytt",
             "data": {"msteams": {"type": "imBack", "value": "status trådløst nett"}}}]},
        {"type": "Media", "sources": [], "fallback": {
            "type": "TextBlock", "text": "Video kan ikke vises"}},
    ],
    "actions": [{"type": "Action.Execute", "title": "Oppdater", "verb": "refresh",
                 "data": {"code": "ST-007"}}],
}


def test_render_card_walks_the_sample_layout() -> None:
    rendered = render_card(ACTIVITY_UPDATE_CARD)
    assert rendered.lines == [
        "Statusrapport levert",
        "[image: Magnus Eriksen]",
        "Magnus Eriksen",
        "Levert 2026-11-18",
        "Akuttmottakene ved OUS og Ahus har fått full dekning.",
        "Prosjekt:: Trådløst nett fase II (ST-007)",
        "Status:: grønn",
        "[1] Kommenter (shows more)",
        "[2] Åpne i porteføljen (opens https://portfolio.example/projects/ST-007)",
    ]
    assert [(b.number, b.title, b.kind) for b in rendered.buttons] == [
        (1, "Kommenter", "Action.ShowCard"), (2, "Åpne i porteføljen", "Action.OpenUrl")]
    shown = render_card(rendered.buttons[0].action["card"], first_number=3)
    assert shown.lines == ["Kommentar: [Skriv en kommentar]", "[3] OK"]
    assert shown.buttons[0].inputs[0]["id"] == "comment"


def test_render_card_tables_rich_text_inputs_and_numbering() -> None:
    rendered = render_card(TEAMS_CARD, first_number=4)
    assert rendered.lines == [
        "Flere prosjekter passer: velg ett",
        "ST-007 | Trådløst nett fase II",
        "ST-008 | Trådløst nett fase I",
        "Fase: (Fase I / Fase II)",
        "Varsle meg: [ ] Varsle meg",
        "[4] Vis status",
        "[5] Spør på nytt",
        "Video kan ikke vises",
        "[6] Oppdater",
    ]
    assert [b.number for b in rendered.buttons] == [4, 5, 6]
    assert [i["id"] for i in rendered.inputs] == ["phase", "notify"]
    assert all(len(b.inputs) == 2 for b in rendered.buttons)


def test_columns_of_single_lines_share_a_line() -> None:
    card = {"type": "AdaptiveCard", "body": [{"type": "ColumnSet", "columns": [
        {"type": "Column", "items": [{"type": "TextBlock", "text": "Eier"}]},
        {"type": "Column", "items": [{"type": "TextBlock", "text": "Hilde Johansen"}]}]}]}
    assert render_card(card).lines == ["Eier  Hilde Johansen"]


def test_card_text_is_shown_as_teams_shows_it() -> None:
    card = {"type": "AdaptiveCard", "body": [
        {"type": "TextBlock", "text": "Hei <at>Kari</at>\\! Se [portalen](https://p.example/x) "
         "for **RP\\-001**; 2 \\* 3, snake_case\n\nNy linje"}]}
    assert render_card(card).lines == [
        "Hei @Kari! Se portalen (https://p.example/x) for RP-001; 2 * 3, snake_case",
        "Ny linje"]


def test_render_attachment_hero_and_unknown() -> None:
    hero = render_attachment({"contentType": "application/vnd.microsoft.card.hero",
                              "content": {"title": "Velkommen", "text": "Spør meg",
                                          "buttons": [{"type": "imBack", "title": "Hjelp",
                                                       "value": "hjelp"}]}})
    assert hero.lines == ["Velkommen", "Spør meg", "[1] Hjelp"]
    other = render_attachment({"contentType": "application/pdf", "name": "rapport.pdf"})
    assert other.lines == ["[attachment: rapport.pdf]"]


def test_submit_payload_forms() -> None:
    def button(data: Any) -> CardButton:
        return CardButton(1, "b", {"type": "Action.Submit", "data": data})

    assert submit_payload(button({"action": "comment"}), {"comment": "fint"}) == (
        None, {"action": "comment", "comment": "fint"})
    assert submit_payload(button(None), {"x": "1"}) == (None, {"x": "1"})
    assert submit_payload(button("hjelp")) == ("hjelp", None)
    message_back = TEAMS_CARD["body"][4]["actions"][0]["data"]
    assert submit_payload(button(message_back)) == (
        "status ST-007", {"origin": "card", "code": "ST-007"})
    im_back = TEAMS_CARD["body"][4]["actions"][1]["data"]
    assert submit_payload(button(im_back)) == ("status trådløst nett", None)


# -- end to end -----------------------------------------------------------------------------

def echo_card(text: str) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard", "version": "1.4",
        "body": [{"type": "TextBlock", "text": f"Card for **{text}**", "wrap": True},
                 {"type": "Input.Text", "id": "comment", "label": "Comment"}],
        "actions": [
            {"type": "Action.Submit", "title": "Send it", "associatedInputs": "none",
             "data": {"choice": "yes", "echo": text}},
            {"type": "Action.Submit", "title": "With comment", "data": {"choice": "comment"}},
            {"type": "Action.Submit", "title": "Details",
             "data": {"msteams": {"type": "messageBack", "text": "details please",
                                  "value": {"code": "RP-001"}}}},
        ],
    }


class EchoBot(ActivityHandler):  # type: ignore[misc]
    """Replies with text and a small card; echoes card submits; updates on request."""

    def __init__(self) -> None:
        self.received: list[Activity] = []
        self.texts: list[str | None] = []  # as received, before the mention is removed

    async def on_turn(self, turn_context: TurnContext) -> None:
        self.received.append(turn_context.activity)
        self.texts.append(turn_context.activity.text)
        await super().on_turn(turn_context)

    async def on_members_added_activity(self, members_added: list[ChannelAccount],
                                        turn_context: TurnContext) -> None:
        if any(m.id == turn_context.activity.recipient.id for m in members_added):
            await turn_context.send_activity(
                f"welcome to {turn_context.activity.conversation.conversation_type}")

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if activity.value is not None:
            text = f" text={activity.text}" if activity.text else ""
            await turn_context.send_activity(
                f"submitted {json.dumps(activity.value, sort_keys=True)}{text}")
            return
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        if text == "update me":
            await turn_context.send_activity(Activity(type=ActivityTypes.typing))
            sent = await turn_context.send_activity("draft")
            await turn_context.update_activity(
                Activity(id=sent.id, type=ActivityTypes.message, text="final"))
            await turn_context.delete_activity(sent.id)
            return
        await turn_context.send_activity(Activity(
            type=ActivityTypes.message, text=f"echo: {text}",
            attachments=[Attachment(content_type=ADAPTIVE, content=echo_card(text))]))


class EmptyConfiguration:
    """No MicrosoftAppId: the adapter runs in emulator mode, unauthenticated."""


@dataclass
class BotHost:
    url: str
    bot: EchoBot
    errors: list[BaseException]


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/api/messages"


@pytest.fixture
async def echo_host() -> AsyncIterator[BotHost]:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(EmptyConfiguration()))
    bot = EchoBot()
    errors: list[BaseException] = []

    async def on_error(turn_context: TurnContext, error: BaseException) -> None:
        errors.append(error)

    adapter.on_turn_error = on_error

    async def messages(request: web.Request) -> web.StreamResponse:
        response = await adapter.process(request, bot)
        return response if response is not None else web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    runner, url = await serve(app)
    try:
        yield BotHost(url, bot, errors)
    finally:
        await runner.cleanup()


async def chat(url: str, script: str, *options: str) -> tuple[int, str, str]:
    args = _parser().parse_args(["chat", "--bot-url", url, "--timeout", "10", *options])
    out, err = io.StringIO(), io.StringIO()
    status = await run_chat(args, stdin=io.StringIO(script), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_chat_is_registered_on_the_command_line() -> None:
    args = _parser().parse_args(["chat", "--scope", "channel", "--name", "Kari Nordmann",
                                 "--aad-id", "0c6439ef-150b-5df2-a716-cabaebdfe17b",
                                 "--locale", "en-US"])
    assert isinstance(args, argparse.Namespace)
    assert (args.command, args.scope, args.name, args.locale) == (
        "chat", "channel", "Kari Nordmann", "en-US")
    assert args.bot_url == "http://127.0.0.1:3978/api/messages"


async def test_chat_with_an_echo_bot_and_a_card_button(echo_host: BotHost) -> None:
    status, out, err = await chat(echo_host.url, "hello world\n1\n/quit\n")
    assert (status, err) == (0, "")
    assert "portfoliobot: welcome to personal" in out
    assert "portfoliobot: echo: hello world" in out
    assert "  | Card for hello world" in out
    assert "  | [1] Send it" in out
    assert "  | [3] Details" in out
    assert 'portfoliobot: submitted {"choice": "yes", "echo": "hello world"}' in out
    assert out.index("echo: hello world") < out.index("> 1") < out.index("submitted")
    assert echo_host.errors == []

    install, message, submit = echo_host.bot.received
    assert install.type == "conversationUpdate"
    assert install.members_added[0].id == install.recipient.id
    assert message.from_property.aad_object_id == "8c1e2f4a-6b3d-4e5f-9a7b-0c2d4e6f8a1b"
    assert (submit.type, submit.text) == ("message", None)
    assert submit.value == {"choice": "yes", "echo": "hello world"}
    assert submit.reply_to_id and submit.reply_to_id.isdigit()
    assert submit.conversation.id == message.conversation.id


async def test_inputs_message_back_and_numbers_that_are_no_button(echo_host: BotHost) -> None:
    # 2 asks for the card's input; so does 3 (left empty); no /quit: end of input ends it
    script = "note\n2\nlooks good\n3\n\n9\n"
    status, out, _ = await chat(echo_host.url, script)
    assert status == 0
    assert "  Comment: looks good" in out
    assert 'submitted {"choice": "comment", "comment": "looks good"}' in out
    assert 'submitted {"code": "RP-001"} text=details please' in out
    assert "portfoliobot: echo: 9" in out  # no button 9: sent as a message
    assert echo_host.errors == []


async def test_end_of_input_while_asking_for_a_field_ends_the_chat(
        echo_host: BotHost) -> None:
    status, out, _ = await asyncio.wait_for(chat(echo_host.url, "note\n2\n"), timeout=10)
    assert status == 0
    assert out.rstrip().endswith("Comment:")
    assert len(echo_host.bot.received) == 2  # install and "note"; nothing was submitted


async def test_channel_scope_mentions_the_bot_and_keeps_one_thread(
        echo_host: BotHost) -> None:
    status, out, _ = await chat(echo_host.url, "first\nsecond\n1\n/quit\n",
                                "--scope", "channel", "--name", "Kari Nordmann",
                                "--aad-id", "0c6439ef-150b-5df2-a716-cabaebdfe17b")
    assert status == 0
    assert "as Kari Nordmann" in out
    assert "welcome to channel" in out
    assert "echo: first" in out and "echo: second" in out
    install, first, second, submit = echo_host.bot.received
    assert install.channel_data["eventType"] == "teamMemberAdded"
    assert echo_host.bot.texts[1] == "<at>portfoliobot</at> first"
    assert first.entities[0].additional_properties["mentioned"]["id"] == first.recipient.id
    assert first.conversation.id == f"{first.channel_data['channel']['id']};messageid={first.id}"
    assert second.conversation.id == first.conversation.id  # a reply in the same thread
    assert submit.value == {"choice": "yes", "echo": "second"}
    assert first.from_property.name == "Kari Nordmann"


async def test_updates_and_deletes_are_shown_typing_is_not(echo_host: BotHost) -> None:
    status, out, _ = await chat(echo_host.url, "update me\n/quit\n", "--scope", "group")
    assert status == 0
    assert "portfoliobot: draft" in out
    assert "(updated) portfoliobot: final" in out
    assert "(portfoliobot deleted message" in out
    assert "typing" not in out


async def test_no_bot_is_one_line_and_exit_2() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}/api/messages"
    status, out, err = await chat(url, "hello\n")
    assert status == 2
    assert err == (f"portfoliobot: no bot answers at {url}: start it with "
                   "`portfoliobot serve`\n")
    assert "Traceback" not in out + err


async def test_http_errors_from_the_bot_are_one_line_and_the_chat_goes_on() -> None:
    async def refuse(request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("type") == "message":
            return web.json_response({"error": "something broke"}, status=500)
        return web.json_response({"error": "the activity has no type"}, status=400)

    app = web.Application()
    app.router.add_post("/api/messages", refuse)
    runner, url = await serve(app)
    try:
        status, out, err = await chat(url, "one\ntwo\n/quit\n")
    finally:
        await runner.cleanup()
    assert (status, err) == (0, "")
    assert "(the bot answered HTTP 400 Bad Request: the activity has no type)" in out
    assert out.count("(the bot answered HTTP 500 Internal Server Error: something broke)") == 2


async def test_chat_with_the_portfolio_bot_shows_what_teams_shows(bot_url: str) -> None:
    """A reply with a card shows the card once, as Teams does; a plain reply its text."""
    status, out, err = await chat(bot_url, "Hvem eier Regional EPJ-modernisering?\n"
                                           + "status " * 1000 + "\n")
    assert (status, err) == (0, "")
    assert out.count("porteføljeboten") == 1, out     # the welcome card, not also its text
    assert out.count("Hilde Johansen") == 2, out      # the answer's sentence and its fact
    assert ("portfoliobot:\n  | Regional EPJ-modernisering (RP-001)\n"
            "  | Prosjekteier for Regional EPJ-modernisering (RP-001) er Hilde Johansen") in out
    assert "  | Prosjekteier: Hilde Johansen" in out
    assert "portfoliobot: Meldingen er for lang (" in out

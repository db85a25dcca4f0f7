"""Malformed and hostile requests to `/api/messages` and `/api/notify`, through real HTTP.

Two kinds of input. Requests that are not what the endpoint takes (broken JSON, missing
fields, wrong types, huge bodies, deep nesting, wrong content types, bad tokens) each get
their 4xx with a JSON `{"error": …}` body, never a 500. Requests that are valid but odd
(right-to-left text, emoji, zero-width and combining characters, NUL bytes, 100 KB of text,
text that looks like SQL, markdown or an Adaptive Card) get a 2xx and a reply at the
connector stand-in in which the user's text is inert: plain text, and cards whose text
blocks escape every markdown character and whose only card is the bot's own. SQL-looking
questions and status updates are stored verbatim, checked with a direct SELECT. After all
of it the bot still answers a normal question.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession

from bot.cards.answer_cards import CARD_CONTENT_TYPE, inert
from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from knowledge.language.text import storable
from knowledge.portfolio.demo_database import demo_portfolio, load_portfolio
from tests.bot.conftest import running_bot, settings_for
from tests.bot.handlers.test_status_updates import MAGNUS, chat_reports
from tests.helpers import fetch

JSON = "application/json"
TOKEN = "hostile-test-notify-token"
DEAD_SERVICE = "http://127.0.0.1:9/"    # nothing listens: a request that got through goes nowhere
REMOVE = object()
ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")
NORMAL_QUESTION = "Hvem eier Regional EPJ-modernisering?"


@dataclass(frozen=True)
class Bot:
    messages: str
    notify: str
    portfolio_url: str
    connector: LocalConnector


@contextlib.asynccontextmanager
async def started_bot(portfolio_url: str, tmp_path: Path, connector: LocalConnector
                      ) -> AsyncIterator[Bot]:
    settings = replace(settings_for(portfolio_url, tmp_path), notify_api_token=TOKEN)
    async with running_bot(settings) as url:
        yield Bot(url, url.replace("/api/messages", "/api/notify"), portfolio_url, connector)


@pytest.fixture
async def sqlite_bot(tmp_path: Path, connector: LocalConnector) -> AsyncIterator[Bot]:
    """The bot on a SQLite demo portfolio: for requests the database plays no part in."""
    url = f"sqlite:///{tmp_path / 'portfolio.db'}"
    await load_portfolio(url, demo_portfolio())
    async with started_bot(url, tmp_path, connector) as bot:
        yield bot


@pytest.fixture
async def any_bot(demo_url: str, tmp_path: Path, connector: LocalConnector) -> AsyncIterator[Bot]:
    """The bot on SQLite and on PostgreSQL (bot and portfolio tables in one database)."""
    async with started_bot(demo_url, tmp_path, connector) as bot:
        yield bot


async def send(url: str, data: bytes | str, content_type: str | None,
               headers: dict[str, str] | None = None) -> tuple[int, str]:
    """POST raw bytes with exactly the given Content-Type (None: no Content-Type at all)."""
    sent = dict(headers or {})
    if content_type is not None:
        sent["Content-Type"] = content_type
    raw = data.encode() if isinstance(data, str) else data
    async with ClientSession(skip_auto_headers=("Content-Type",)) as client, client.post(
            url, data=io.BytesIO(raw), headers=sent) as response:
        return response.status, await response.text()


def activity(**changes: Any) -> dict[str, Any]:
    """A valid Teams message to a service URL nobody answers, with `changes` (REMOVE deletes)."""
    body = TeamsScene(service_url=DEAD_SERVICE).message("hei")
    for key, value in changes.items():
        key = {"sender": "from"}.get(key, key)
        if value is REMOVE:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def dumped(value: Any) -> str:
    return json.dumps(value)


VALID = dumped(activity())
MESSAGES_REFUSED: list[tuple[str, bytes | str, str | None, int]] = [
    ("broken JSON", '{"type": "message", "text": "hei"', JSON, 400),
    ("empty body", "", JSON, 400),
    ("only whitespace", "  \n\t ", JSON, 400),
    ("JSON null", "null", JSON, 400),
    ("JSON string", '"message"', JSON, 400),
    ("JSON number out of range", "1e999", JSON, 400),
    ("JSON array of an activity", f"[{VALID}]", JSON, 400),
    ("trailing garbage", VALID + "}}", JSON, 400),
    ("not UTF-8", b'{"type": "message", "text": "\xff\xfe\xc0\xaf"}', JSON, 400),
    ("UTF-16 with BOM", VALID.encode("utf-16"), JSON, 400),
    ("NaN as the whole body", "NaN", JSON, 400),
    ("no type", dumped(activity(type=REMOVE)), JSON, 400),
    ("empty type", dumped(activity(type="")), JSON, 400),
    ("type a number", dumped(activity(type=7)), JSON, 400),
    ("type a list", dumped(activity(type=["message"])), JSON, 400),
    ("no serviceUrl", dumped(activity(serviceUrl=REMOVE)), JSON, 400),
    ("serviceUrl javascript:", dumped(activity(serviceUrl="javascript:alert(1)")), JSON, 400),
    ("serviceUrl file:", dumped(activity(serviceUrl="file:///etc/passwd")), JSON, 400),
    ("serviceUrl a number", dumped(activity(serviceUrl=80)), JSON, 400),
    ("serviceUrl an object", dumped(activity(serviceUrl={"href": DEAD_SERVICE})), JSON, 400),
    ("no conversation", dumped(activity(conversation=REMOVE)), JSON, 400),
    ("conversation a string", dumped(activity(conversation="19:abc")), JSON, 400),
    ("conversation.id a number", dumped(activity(conversation={"id": 5})), JSON, 400),
    ("conversation.id null", dumped(activity(conversation={"id": None})), JSON, 400),
    # Header injection through the reply's URL is refused before any turn runs.
    ("CR LF and NUL in conversation.id",
     dumped(activity(conversation={"id": "a:1\r\nX-Injected: yes\x00"})), JSON, 400),
    ("a newline in serviceUrl", dumped(activity(serviceUrl="http://127.0.0.1:1/\nx")), JSON, 400),
    ("a tab in the activity id", dumped(activity(id="1\t2")), JSON, 400),
    ("text a number", dumped(activity(text=42)), JSON, 400),
    ("text a list", dumped(activity(text=["hei"])), JSON, 400),
    ("text an operator object", dumped(activity(text={"$ne": ""})), JSON, 400),
    ("text true", dumped(activity(text=True)), JSON, 400),
    ("id a number", dumped(activity(id=1)), JSON, 400),
    ("locale a list", dumped(activity(locale=["nb-NO"])), JSON, 400),
    ("channelId an object", dumped(activity(channelId={"id": "msteams"})), JSON, 400),
    ("from a string", dumped(activity(sender="29:x")), JSON, 400),
    ("recipient a list", dumped(activity(recipient=[])), JSON, 400),
    ("entities an object", dumped(activity(entities={"type": "mention"})), JSON, 400),
    ("entities of the wrong shape", dumped(activity(entities=[5, "mention", None])), JSON, 400),
    ("attachments an object", dumped(activity(attachments={"contentType": "x"})), JSON, 400),
    ("timestamp not a date", dumped(activity(timestamp="yesterday-ish")), JSON, 400),
    ("nested 40 levels deep", dumped(activity(channelData=nested(40))), JSON, 400),
    ("nested 100,000 levels deep", "[" * 100_000 + "]" * 100_000, JSON, 400),
    ("nested objects 20,000 deep", '{"a":' * 20_000 + "1" + "}" * 20_000, JSON, 400),
    ("300 KB of text", dumped(activity(text="x" * 300_000)), JSON, 413),
    ("2 MB of whitespace", VALID + " " * 2_000_000, JSON, 413),
    ("text/plain", VALID, "text/plain", 415),
    ("a form", "type=message&text=hei", "application/x-www-form-urlencoded", 415),
    ("multipart", "--b\r\n\r\nhei\r\n--b--", "multipart/form-data; boundary=b", 415),
    ("XML", "<activity type='message'/>", "application/xml", 415),
    ("JSON under another name", VALID, "application/vnd.api+json", 415),
    ("no Content-Type", VALID, None, 415),
]

BEARER = {"Authorization": f"Bearer {TOKEN}"}
NOTICE = {"project": "RP-001", "title": "Nedetid", "text": "DIPS er nede i kveld."}
NOTIFY_REFUSED: list[tuple[str, bytes | str, str | None, dict[str, str], int]] = [
    ("no token", dumped(NOTICE), JSON, {}, 401),
    ("wrong token", dumped(NOTICE), JSON, {"Authorization": "Bearer wrong-token-of-a-length"}, 401),
    ("token without Bearer", dumped(NOTICE), JSON, {"Authorization": TOKEN}, 401),
    ("Basic instead of Bearer", dumped(NOTICE), JSON, {"Authorization": f"Basic {TOKEN}"}, 401),
    ("token with a suffix", dumped(NOTICE), JSON, {"Authorization": f"Bearer {TOKEN}x"}, 401),
    ("token, but no body either", "", None, {}, 401),
    ("text/plain", dumped(NOTICE), "text/plain", BEARER, 415),
    ("no Content-Type", dumped(NOTICE), None, BEARER, 415),
    ("a form", "project=all&title=x&text=y", "application/x-www-form-urlencoded", BEARER, 415),
    ("broken JSON", '{"project": "all",', JSON, BEARER, 400),
    ("not UTF-8", b'{"project": "all", "title": "\xff", "text": "x"}', JSON, BEARER, 400),
    ("JSON null", "null", JSON, BEARER, 400),
    ("JSON array", dumped([NOTICE]), JSON, BEARER, 400),
    ("no project", dumped({**NOTICE, "project": None}), JSON, BEARER, 400),
    ("project a number", dumped({**NOTICE, "project": 1}), JSON, BEARER, 400),
    ("project blank", dumped({**NOTICE, "project": "  "}), JSON, BEARER, 400),
    ("project an operator object", dumped({**NOTICE, "project": {"$ne": ""}}), JSON, BEARER, 400),
    ("title a list", dumped({**NOTICE, "title": ["Nedetid"]}), JSON, BEARER, 400),
    ("title empty", dumped({**NOTICE, "title": ""}), JSON, BEARER, 400),
    ("text missing", dumped({"project": "all", "title": "x"}), JSON, BEARER, 400),
    ("text only whitespace", dumped({**NOTICE, "text": " \n\t "}), JSON, BEARER, 400),
    ("title of 201 characters", dumped({**NOTICE, "title": "t" * 201}), JSON, BEARER, 400),
    ("text of 4001 characters", dumped({**NOTICE, "text": "t" * 4001}), JSON, BEARER, 400),
    ("an unknown field", dumped({**NOTICE, "url": "http://evil.example"}), JSON, BEARER, 400),
    ("NUL in the title", dumped({**NOTICE, "title": "Ned\x00etid"}), JSON, BEARER, 400),
    ("unpaired surrogate in the text", dumped({**NOTICE, "text": "a\ud800b"}), JSON, BEARER, 400),
    ("nested 40 levels deep", dumped({**NOTICE, "text": nested(40)}), JSON, BEARER, 400),
    ("nested 100,000 levels deep", "[" * 100_000 + "]" * 100_000, JSON, BEARER, 400),
    ("300 KB body", dumped({**NOTICE, "text": "x" * 300_000}), JSON, BEARER, 413),
    ("unknown project", dumped({**NOTICE, "project": "RP-999"}), JSON, BEARER, 404),
    ("project that looks like SQL", dumped({**NOTICE, "project": "' OR 1=1 --"}), JSON, BEARER,
     404),
]


def json_error(status: int, body: str) -> str | None:
    """Why a refusal's body is not a JSON error object, or None when it is one."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return f"HTTP {status} with a body that is not JSON: {body[:80]!r}"
    if not (isinstance(parsed, dict) and isinstance(parsed.get("error"), str) and parsed["error"]):
        return f"HTTP {status} with JSON that is not {{'error': …}}: {body[:80]!r}"
    return None


async def test_malformed_messages_get_a_json_4xx(sqlite_bot: Bot) -> None:
    wrong = []
    for name, body, content_type, expected in MESSAGES_REFUSED:
        status, text = await send(sqlite_bot.messages, body, content_type)
        if status != expected:
            wrong.append(f"{name}: HTTP {status}, expected {expected}: {text[:120]!r}")
        elif (problem := json_error(status, text)) is not None:
            wrong.append(f"{name}: {problem}")
    assert not wrong, "\n".join(wrong)
    assert not sqlite_bot.connector.activities, "nothing refused reached a turn"
    await assert_still_answers(sqlite_bot)


async def test_malformed_notices_get_a_json_4xx(sqlite_bot: Bot) -> None:
    wrong = []
    for name, body, content_type, headers, expected in NOTIFY_REFUSED:
        status, text = await send(sqlite_bot.notify, body, content_type, headers)
        if status != expected:
            wrong.append(f"{name}: HTTP {status}, expected {expected}: {text[:120]!r}")
        elif (problem := json_error(status, text)) is not None:
            wrong.append(f"{name}: {problem}")
    assert not wrong, "\n".join(wrong)
    queued = await fetch(sqlite_bot.portfolio_url, "SELECT COUNT(*) FROM outbox")
    assert queued == [(0,)], "no refused notice was queued"
    await assert_still_answers(sqlite_bot)


# ----------------------------------------------------------------- valid, but odd
SQL_TEXTS = (
    "'; DROP TABLE project; --",
    "Robert'); DROP TABLE unanswered_question;--",
    "1' OR '1'='1",
    "\" OR \"\"=\"\"; DELETE FROM status_report WHERE 1=1; --",
)
MARKDOWN_TEXT = ("hvem eier **[klikk her](http://evil.example)** _x_ `y` # z "
                 "<script>alert(1)</script> ![i](http://evil.example/i.png)?")
CARD_TEXT = json.dumps({
    "type": "AdaptiveCard", "version": "1.4", "$schema": "http://adaptivecards.io/schemas/"
    "adaptive-card.json", "body": [{"type": "TextBlock", "text": "pwned"}],
    "actions": [{"type": "Action.OpenUrl", "title": "Logg inn", "url": "http://evil.example"}]})
ODD_TEXTS: list[tuple[str, str, str | None]] = [   # name, text, a word the reply must have
    ("right-to-left override", "\u202eHvem eier Regional EPJ-modernisering?\u202c",
     "Hilde Johansen"),
    ("right-to-left marks and Arabic", "\u200fمن يملك\u200f Regional EPJ-modernisering?",
     None),
    ("Hebrew", "מי הבעלים של הפרויקט?", None),
    ("emoji", "🚀 Hvem eier Regional EPJ-modernisering? 👩\u200d👩\u200d👧 🇳🇴", "Hilde Johansen"),
    ("zero-width inside words", "Hvem e\u200bier Regional EPJ-moder\u200dnisering?", None),
    ("zero-width only", "\u200b\u200c\u200d\ufeff\u2060", None),
    ("combining marks", "Hvem eier Tra\u030adlo\u0338st nett fase II?", None),
    ("zalgo", "H̸̢̛͎ͅv̶̳̈e̵̡͝m̷̰̈́ ẹ̶̈i̵̥͊e̸̠͝r̷̲̈́ D̷̨̛H̸̰O̶̤?", None),
    ("100 KB of text", "x" * 100_000, "100000"),
    ("100 KB of emoji", "🚀" * 25_000, "25000"),
    ("exactly the longest question", ("Hvem eier Regional EPJ-modernisering? " * 60)[:2000],
     None),
    ("NUL bytes between words", "Hvem\x00eier\x00Regional EPJ-modernisering?\x00",
     "Hilde Johansen"),
    ("NUL bytes only", "\x00" * 64, None),
    ("NUL in an unknown name", "hvem eier Zq\x00xw?", None),
    ("unpaired surrogate", "hvem eier Zq\ud800xy?", None),
    ("terminal escapes and control characters", "\x1b[31mHvem eier DHO?\x1b[0m\r\n\t\x7f\x08",
     None),
    ("whitespace only", "   \n\t  ", None),
    *((f"SQL {index}", text, None) for index, text in enumerate(SQL_TEXTS, 1)),
    ("markdown, links and HTML", MARKDOWN_TEXT, None),
    ("an Adaptive Card as text", CARD_TEXT, None),
    ("a mention tag and HTML", "<at>Noen</at> <img src=x onerror=alert(1)> hvem eier DHO?", None),
]


def objects(value: Any) -> list[dict[str, Any]]:
    """Every JSON object in `value`, nested ones included."""
    if isinstance(value, dict):
        return [value, *(o for item in value.values() for o in objects(item))]
    if isinstance(value, list):
        return [o for item in value for o in objects(item)]
    return []


def as_json(body: dict[str, Any]) -> str:
    """`body` as Teams sends it: UTF-8 JSON, with \\u escapes only where UTF-8 cannot go."""
    try:
        text = json.dumps(body, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:   # an unpaired surrogate: only the escaped form can carry it
        return json.dumps(body)
    return text


def reply_problems(reply: RecordedActivity) -> list[str]:
    """What makes a reply not inert: other cards than the bot's, unescaped card text, links."""
    problems = []
    if reply.activity.get("textFormat") != "plain":
        problems.append(f"textFormat is {reply.activity.get('textFormat')!r}, not plain")
    for attachment in reply.attachments:
        if attachment.get("contentType") != CARD_CONTENT_TYPE:
            problems.append(f"an attachment of type {attachment.get('contentType')!r}")
            continue
        card = attachment.get("content")
        if not isinstance(card, dict) or card.get("version") not in ("1.4", "1.5") or (
                "fallbackText" not in card):
            problems.append("an attachment that is not the bot's own card")
            continue
        if any(item.get("type") == "Action.OpenUrl" or "url" in item or "selectAction" in item
               for item in objects(card)):
            problems.append("a link or an action that opens one in the card")
        for block in card.get("body", []):
            texts = [block["text"]] if block.get("type") == "TextBlock" else [
                part for fact in block.get("facts", []) for part in (fact["title"], fact["value"])]
            for shown in texts:
                if inert(ESCAPED.sub(r"\1", shown)) != shown:
                    problems.append(f"card text not escaped: {shown[:80]!r}")
                if shown == "pwned":
                    problems.append("the user's card became a text block")
    return problems


async def ask(bot: Bot, body: dict[str, Any] | str,
              wait: float = 5.0) -> tuple[int, RecordedActivity | None]:
    """POST an activity; its status and the one message reply (None if there was none)."""
    seen = len(bot.connector.activities)
    status, text = await send(bot.messages, body if isinstance(body, str) else as_json(body),
                              JSON)
    assert status < 500, f"HTTP {status}: {text[:200]}"
    try:
        replies = await bot.connector.wait_for(lambda a: a.type == "message", since=seen,
                                               timeout=wait)
    except TimeoutError:
        return status, None
    return status, replies[0]


async def assert_still_answers(bot: Bot) -> None:
    scene = TeamsScene(service_url=bot.connector.url)
    status, reply = await ask(bot, scene.message(NORMAL_QUESTION))
    assert status in (200, 201) and reply is not None
    assert "Hilde Johansen" in reply.shown_text


async def test_odd_but_valid_messages_get_an_inert_reply(any_bot: Bot) -> None:
    scene = TeamsScene(service_url=any_bot.connector.url)
    wrong = []
    for name, text, expected in ODD_TEXTS:
        status, reply = await ask(any_bot, scene.message(text))
        if status not in (200, 201) or reply is None:
            wrong.append(f"{name}: HTTP {status}, reply {reply and reply.summary()}")
            continue
        if reply.type != "message" or not reply.shown_text.strip():
            wrong.append(f"{name}: an empty reply")
        if expected is not None and expected not in reply.shown_text:
            wrong.append(f"{name}: {expected!r} not in {reply.shown_text[:100]!r}")
        if "noe gikk galt" in reply.shown_text:
            wrong.append(f"{name}: the turn failed")
        wrong += [f"{name}: {problem}" for problem in reply_problems(reply)]
    assert not wrong, "\n".join(wrong)
    stored = {row[0] for row in await fetch(any_bot.portfolio_url,
                                            "SELECT text FROM unanswered_question")}
    for text in (*SQL_TEXTS, "hvem eier Zq\x00xw?", "hvem eier Zq\ud800xy?", MARKDOWN_TEXT,
                 CARD_TEXT):
        assert storable(text) in stored, f"{text!r} is not stored verbatim: {stored}"
    assert await fetch(any_bot.portfolio_url, "SELECT COUNT(*) FROM project") == [(18,)]
    await assert_still_answers(any_bot)


async def test_odd_activities_are_accepted_or_refused_never_500(sqlite_bot: Bot) -> None:
    """Card submissions, invokes and events with values of every wrong shape."""
    scene = TeamsScene(service_url=sqlite_bot.connector.url)
    bodies: list[tuple[str, dict[str, Any], bool]] = [   # name, body, expects a reply
        ("card submit: a list", scene.card_submit(["a", 1], reply_to_id="1"), True),
        ("card submit: a string", scene.card_submit("portfoliobot", reply_to_id="1"), True),
        ("card submit: a number", scene.card_submit(1e308, reply_to_id="1"), True),
        ("card submit: followup of wrong types", scene.card_submit(
            {"portfoliobot": "followup", "intent": ["owner"], "kind": {"x": 1}, "id": "1' OR 1=1"},
            reply_to_id="1"), True),
        ("card submit: followup with a huge id", scene.card_submit(
            {"portfoliobot": "followup", "intent": "owner", "kind": "project", "id": 10**30},
            reply_to_id="1"), True),
        ("card submit: form of wrong types", scene.card_submit(
            {"portfoliobot": "status_form", "project": {"$ne": 1}, "health": ["red"],
             "summary": 5, "lang": "xx"}, reply_to_id="1"), True),
        ("card submit: status post of wrong types", scene.card_submit(
            {"portfoliobot": "status_post", "id": True, "health": None, "summary": []},
            reply_to_id="1"), True),
        ("card submit: subscription command not text", scene.card_submit(
            {"subscription_command": {"text": "abonner alle"}}, reply_to_id="1"), True),
        ("an unknown activity type", activity(type="💥", serviceUrl=scene.service_url), False),
        ("an event with a huge name", activity(type="event", name="e" * 10_000,
                                               serviceUrl=scene.service_url), False),
        ("a reaction to nothing", scene.reaction(reply_to_id="does-not-exist"), False),
        ("typing", scene.typing(), False),
        ("an edit of an unknown message", scene.message_edit("'; DROP TABLE x; --",
                                                             message_id="nope"), False),
        ("a path in the conversation id", activity(
            serviceUrl=scene.service_url, conversation={"id": "../../v3/teams/x?y=#z"}), True),
    ]
    wrong = []
    for name, body, wants_reply in bodies:
        status, reply = await ask(sqlite_bot, body, 5.0 if wants_reply else 0.5)
        if status not in (200, 201, 202):
            wrong.append(f"{name}: HTTP {status}")
        elif wants_reply and reply is None:
            wrong.append(f"{name}: no reply")
        elif reply is not None:
            wrong += [f"{name}: {problem}" for problem in reply_problems(reply)]
    invoke = activity(type="invoke", name="task/fetch", value={"data": 5},
                      serviceUrl=scene.service_url)
    status, text = await send(sqlite_bot.messages, dumped(invoke), JSON)
    if status != 501:   # botbuilder's answer to an invoke the bot does not implement
        wrong.append(f"an unknown invoke: HTTP {status} {text[:80]!r}")
    odd_link = activity(type="invoke", name="composeExtension/queryLink", value={"url": 5},
                        serviceUrl=scene.service_url)
    status, text = await send(sqlite_bot.messages, dumped(odd_link), JSON)
    if status != 200 or json.loads(text)["composeExtension"]["attachments"] != []:
        wrong.append(f"a link that is no link: HTTP {status} {text[:80]!r}")
    assert not wrong, "\n".join(wrong)
    await assert_still_answers(sqlite_bot)


STATUS_SUMMARIES = (
    "'); DELETE FROM status_report; -- **fet** [lenke](http://evil.example) " + CARD_TEXT,
    "\u202eRTL\u202c 🚀👩\u200d👩\u200d👧 e\u0301 zero\u200bwidth <b>html</b> # overskrift",
)


async def test_status_updates_with_hostile_text_are_stored_verbatim(any_bot: Bot) -> None:
    lead = TeamsScene(service_url=any_bot.connector.url, aad_object_id=MAGNUS)
    sent = [*STATUS_SUMMARIES, "NUL\x00inside", "unpaired \udc00 surrogate"]
    before = await fetch(any_bot.portfolio_url, "SELECT COUNT(*) FROM status_report")
    for summary in sent:
        status, reply = await ask(any_bot, lead.message(
            f"status Trådløst nett fase II: gul – {summary}"))
        assert status in (200, 201) and reply is not None
        assert "lagret" in reply.shown_text, reply.summary()
        assert storable(summary) in reply.shown_text, "the confirmation quotes it as stored"
        assert not reply_problems(reply), reply_problems(reply)
        card = json.dumps(reply.adaptive_cards, ensure_ascii=False)
        assert json.dumps(inert(storable(summary)), ensure_ascii=False)[1:-1] in card
    reports = await chat_reports(any_bot.portfolio_url)
    assert [r["summary"] for r in reports] == [storable(s) for s in sent]
    assert [r["summary"] for r in reports][:2] == list(STATUS_SUMMARIES), "verbatim"
    after = await fetch(any_bot.portfolio_url, "SELECT COUNT(*) FROM status_report")
    assert after[0][0] == before[0][0] + len(sent), "each stored once, nothing deleted"
    asker = TeamsScene(service_url=any_bot.connector.url, locale="en-US")
    _, answer = await ask(any_bot, asker.message("status trådløst nett fase II"))
    assert answer is not None and storable(sent[-1]) in answer.shown_text
    await assert_still_answers(any_bot)


def titled(title: str) -> Callable[[RecordedActivity], bool]:
    return lambda activity: activity.shown_text.startswith(title)


async def test_odd_notices_are_delivered_inert(sqlite_bot: Bot) -> None:
    channel = TeamsScene(service_url=sqlite_bot.connector.url, scope="channel")
    sqlite_bot.connector.members = [channel.member()]
    _, reply = await ask(sqlite_bot, channel.message("abonner alle"))
    assert reply is not None and "abonn" in reply.shown_text.lower()
    notices = [
        {"project": "all", "title": "**Viktig** [klikk](http://evil.example)", "text": CARD_TEXT},
        {"project": "rp-001", "title": "\u202eRTL\u202c 🚀 e\u0301\u200b", "text": SQL_TEXTS[0]},
    ]
    async with ClientSession() as client:
        for notice in notices:
            async with client.post(sqlite_bot.notify, json=notice, headers=BEARER) as response:
                assert response.status == 202, await response.text()
    for notice in notices:
        [delivered] = await sqlite_bot.connector.wait_for(titled(notice["title"]), timeout=10)
        assert notice["text"] in delivered.shown_text
        assert not reply_problems(delivered), reply_problems(delivered)
    await assert_still_answers(sqlite_bot)

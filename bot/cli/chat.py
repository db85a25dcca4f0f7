"""`portfoliobot chat`: talk to a running bot in the terminal over the real Bot Framework protocol.

It does what the Bot Framework Emulator does: hosts a local connector endpoint
(`LocalConnector` on 127.0.0.1) and posts Teams-shaped activities whose `serviceUrl` points
at it to the bot's `/api/messages`; the bot answers by calling that connector, and every
reply is printed as it arrives, as Teams would show it: its text, or its Adaptive Cards
rendered as readable text with their buttons numbered [1], [2], … (a reply with a card
carries no text, only a `summary`, which Teams shows in notifications, not in the chat: it
is printed only for a message that has nothing else to show, and a card with nothing to
render shows its `fallbackText`). Typing a number picks that button of the latest card
(an `Action.Submit` sends its data as the `value` of a card submit, like Teams; the
`msteams` messageBack / imBack forms send their text). The chat starts with the install
event (the bot added to the conversation) so the welcome card shows, and can act as any
user (`--name`, `--aad-id`) in any scope (`--scope personal|group|channel`; group chats and
channels @mention the bot, as Teams requires).

A bot that is not running gives one line and exit status 2; an HTTP error from the bot is
printed as one line and the chat goes on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import aiohttp

from bot.cli.local_connector import ADAPTIVE_CARD, LocalConnector, RecordedActivity
from bot.cli.teams_activities import (
    DEFAULT_AAD_OBJECT_ID,
    DEFAULT_BOT_NAME,
    DEFAULT_LOCALE,
    DEFAULT_USER_NAME,
    SCOPES,
    TeamsScene,
)

DEFAULT_BOT_URL = "http://127.0.0.1:3978/api/messages"
DEFAULT_TIMEOUT = 60.0
HERO_CARD = "application/vnd.microsoft.card.hero"
THUMBNAIL_CARD = "application/vnd.microsoft.card.thumbnail"
CARD_PREFIX = "  | "
QUIT_COMMANDS = frozenset({"/quit", "/exit", "/q"})
_SUBMIT_ACTIONS = frozenset({"Action.Submit", "Action.Execute"})
_DATE_FUNCTION = re.compile(r"\{\{(DATE|TIME)\(\s*([^,)]+?)\s*(?:,\s*\w+\s*)?\)\}\}")
_AT_TAG = re.compile(r"<at>(.*?)</at>", re.IGNORECASE)
_MARKDOWN_LINK = re.compile(r"(?<!\\)\[([^\]]+)\]\((\S+?)\)")
_MARKDOWN_BOLD = re.compile(r"(?<!\\)\*\*(?=\S)(.+?)(?<=\S)(?<!\\)\*\*")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


# -- rendering cards as text ----------------------------------------------------------------

@dataclass(frozen=True)
class CardButton:
    """One pickable button: an Adaptive Card action (or a hero card's Bot Framework action)."""

    number: int
    title: str
    action: dict[str, Any]
    inputs: tuple[dict[str, Any], ...] = ()

    @property
    def kind(self) -> str:
        return str(self.action.get("type", ""))


@dataclass
class RenderedCard:
    """A card as lines of text, with its buttons and its input fields."""

    lines: list[str] = field(default_factory=list)
    buttons: list[CardButton] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _date_value(match: re.Match[str]) -> str:
    """{{DATE(2026-11-18T10:00:00Z, SHORT)}} → 2026-11-18; {{TIME(…T10:00:00Z)}} → 10:00 UTC."""
    value = match.group(2)
    date, _, time = value.partition("T")
    if match.group(1) == "DATE" or not time:
        return date
    return f"{time[:5]} UTC" if time.endswith("Z") else time[:5]


def _clean(text: Any) -> str:
    """A card text as plain text, the way Teams shows it: Adaptive Card DATE()/TIME()
    functions become their value, `<at>Name</at>` mentions `@Name`, markdown links
    `text (url)`, bold loses its `**` and backslash escapes (`\\.`, `\\-`, `\\(` …) their
    backslash."""
    if text is None:
        return ""
    result = _DATE_FUNCTION.sub(_date_value, str(text))
    result = _AT_TAG.sub(lambda m: "@" + m.group(1), result)
    result = _MARKDOWN_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", result)
    result = _MARKDOWN_BOLD.sub(lambda m: m.group(1), result)
    return _MARKDOWN_ESCAPE.sub(lambda m: m.group(1), result)


def _text_lines(text: Any) -> list[str]:
    return [line.rstrip() for line in _clean(text).splitlines() if line.strip()]


class _CardRenderer:
    def __init__(self, first_number: int) -> None:
        self.next_number = first_number
        self.card = RenderedCard()

    def button(self, action: Mapping[str, Any], *, title: str | None = None) -> str:
        name = title or str(action.get("title") or action.get("type") or "button")
        button = CardButton(self.next_number, name, dict(action))
        self.card.buttons.append(button)
        self.next_number += 1
        kind = button.kind
        if kind in ("Action.OpenUrl", "openUrl"):
            url = action.get("url") if kind == "Action.OpenUrl" else action.get("value")
            return f"[{button.number}] {name} (opens {url})"
        if kind == "Action.ShowCard":
            return f"[{button.number}] {name} (shows more)"
        return f"[{button.number}] {name}"

    def elements(self, elements: Any) -> list[str]:
        lines: list[str] = []
        for element in elements if isinstance(elements, list) else []:
            if isinstance(element, dict):
                lines.extend(self.element(element))
        return lines

    def actions(self, actions: Any) -> list[str]:
        return [self.button(action) for action in actions if isinstance(action, dict)] \
            if isinstance(actions, list) else []

    def element(self, element: Mapping[str, Any]) -> list[str]:
        if element.get("isVisible") is False:
            return []
        kind = element.get("type")
        if kind == "TextBlock":
            return _text_lines(element.get("text"))
        if kind == "RichTextBlock":
            runs = element.get("inlines") or []
            text = "".join(run if isinstance(run, str) else str(run.get("text", ""))
                           for run in runs if isinstance(run, str | dict))
            return _text_lines(text)
        if kind == "FactSet":
            return [f"{_clean(fact.get('title'))}: {_clean(fact.get('value'))}"
                    for fact in element.get("facts") or [] if isinstance(fact, dict)]
        if kind == "ColumnSet":
            columns = [self.elements(column.get("items")) for column in
                       element.get("columns") or [] if isinstance(column, dict)]
            columns = [column for column in columns if column]
            if all(len(column) == 1 for column in columns):
                return ["  ".join(column[0] for column in columns)] if columns else []
            return [line for column in columns for line in column]
        if kind in ("Container", "Column"):
            return self.elements(element.get("items"))
        if kind == "Table":
            rows: list[str] = []
            for row in element.get("rows") or []:
                cells = [" ".join(self.elements(cell.get("items"))) for cell in
                         (row.get("cells") or []) if isinstance(cell, dict)] \
                    if isinstance(row, dict) else []
                if any(cells):
                    rows.append(" | ".join(cells))
            return rows
        if kind == "Image":
            alt = element.get("altText")
            return [f"[image: {_clean(alt)}]"] if alt else []
        if kind == "ImageSet":
            return self.elements(element.get("images"))
        if kind == "ActionSet":
            return self.actions(element.get("actions"))
        if isinstance(kind, str) and kind.startswith("Input."):
            return self.field(element)
        fallback = element.get("fallback")
        return self.element(fallback) if isinstance(fallback, dict) else []

    def field(self, element: Mapping[str, Any]) -> list[str]:
        self.card.inputs.append(dict(element))
        label = _input_label(element)
        kind = element.get("type")
        if kind == "Input.ChoiceSet":
            choices = " / ".join(str(c.get("title", c.get("value"))) for c in
                                 element.get("choices") or [] if isinstance(c, dict))
            return [f"{label}: ({choices})"]
        if kind == "Input.Toggle":
            on = element.get("value") == element.get("valueOn", "true")
            return [f"{label}: [{'x' if on else ' '}] {_clean(element.get('title'))}".rstrip()]
        shown = element.get("value") or element.get("placeholder") or ""
        return [f"{label}: [{_clean(shown)}]"]


def _input_label(element: Mapping[str, Any]) -> str:
    return _clean(element.get("label") or element.get("placeholder") or element.get("title")
                  or element.get("id") or "field")


def render_card(card: Mapping[str, Any], first_number: int = 1) -> RenderedCard:
    """An Adaptive Card as readable text; its buttons are numbered from `first_number`.

    TextBlock, RichTextBlock, FactSet (`title: value`), ColumnSet/Column, Container, Table,
    Image alt text, ActionSet and the card's own actions are rendered; inputs are shown as
    fields and listed (a submit merges their values into its data).
    """
    renderer = _CardRenderer(first_number)
    lines = renderer.elements(card.get("body"))
    if not lines:   # nothing a client could render: it shows the fallback text instead
        lines = _text_lines(card.get("fallbackText"))
    lines.extend(renderer.actions(card.get("actions")))
    inputs = tuple(renderer.card.inputs)
    renderer.card.lines = lines
    renderer.card.buttons = [CardButton(b.number, b.title, b.action, inputs)
                             for b in renderer.card.buttons]
    return renderer.card


def render_attachment(attachment: Mapping[str, Any], first_number: int = 1) -> RenderedCard:
    """Any attachment as text: Adaptive Cards fully, hero/thumbnail cards, others by name."""
    content_type = attachment.get("contentType")
    content = attachment.get("content")
    if content_type == ADAPTIVE_CARD and isinstance(content, dict):
        return render_card(content, first_number)
    if content_type in (HERO_CARD, THUMBNAIL_CARD) and isinstance(content, dict):
        renderer = _CardRenderer(first_number)
        lines = [line for key in ("title", "subtitle", "text")
                 for line in _text_lines(content.get(key))]
        lines.extend(renderer.actions(content.get("buttons")))
        renderer.card.lines = lines
        return renderer.card
    name = attachment.get("name") or content_type or "attachment"
    return RenderedCard(lines=[f"[attachment: {name}]"])


def submit_payload(button: CardButton, inputs: Mapping[str, Any] | None = None
                   ) -> tuple[str | None, Any]:
    """(text, value) of the message Teams sends for an `Action.Submit` press.

    The action's `data` merged with the input values is the `value`; the `msteams`
    messageBack form sends its `text` with its `value` (and the other data), imBack only its
    `value` as text; a string `data` is sent as text.
    """
    data = button.action.get("data")
    values = dict(inputs or {})
    if isinstance(data, str):
        return data, None
    if not isinstance(data, dict):
        return None, values
    msteams = data.get("msteams")
    if isinstance(msteams, dict):
        kind = msteams.get("type")
        rest = {k: v for k, v in data.items() if k != "msteams"} | values
        if kind == "messageBack":
            extra = _maybe_json(msteams.get("value"))
            value: Any = rest | extra if isinstance(extra, dict) else (extra or rest or None)
            text = msteams.get("text")
            return (str(text) if text is not None else None), value
        if kind == "imBack":
            return str(msteams.get("value", "")), None
    return None, dict(data) | values


# -- the chat -------------------------------------------------------------------------------

class BotUnreachable(Exception):
    """Nothing answers at the bot URL."""


class _Lines:
    """Lines from a text stream, read in a daemon thread so the event loop keeps serving the
    bot's calls while the user types (and a pending read never blocks the exit)."""

    def __init__(self, source: TextIO) -> None:
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._ended = False
        loop = asyncio.get_running_loop()

        def put(line: str | None) -> None:
            loop.call_soon_threadsafe(self._queue.put_nowait, line)

        def pump() -> None:
            try:
                try:
                    while line := source.readline():
                        put(line)
                except (OSError, ValueError):  # the stream was closed under us
                    pass
                put(None)
            except RuntimeError:  # the loop is closed: nobody is listening any more
                pass

        threading.Thread(target=pump, name="chat-input", daemon=True).start()

    async def next(self) -> str | None:
        """The next line without its newline, or None at (and after) the end of input."""
        if self._ended:
            return None
        line = await self._queue.get()
        if line is None:
            self._ended = True
            return None
        return line.rstrip("\r\n")


class ChatSession:
    """One terminal chat: the scene, the connector, the latest card buttons."""

    def __init__(self, scene: TeamsScene, connector: LocalConnector, bot_url: str,
                 out: TextIO, *, interactive: bool = False,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        self.scene = scene
        self.connector = connector
        self.bot_url = bot_url
        self.out = out
        self.interactive = interactive
        self.timeout = timeout
        self.buttons: list[CardButton] = []
        self.button_messages: dict[int, str] = {}
        self.thread_id: str | None = None
        self._fresh_turn = False
        self._http: aiohttp.ClientSession | None = None

    # -- output --

    def write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _take_buttons(self, rendered: RenderedCard, message_id: str) -> None:
        if not rendered.buttons:
            return
        if self._fresh_turn:
            self.buttons, self.button_messages, self._fresh_turn = [], {}, False
        self.buttons.extend(rendered.buttons)
        for button in rendered.buttons:
            self.button_messages[button.number] = message_id

    def button(self, text: str) -> CardButton | None:
        """The latest card's button numbered `text`; None when `text` is no such number."""
        if not text.isdigit():
            return None
        return next((b for b in self.buttons if b.number == int(text)), None)

    def _next_number(self) -> int:
        return 1 if self._fresh_turn or not self.buttons else self.buttons[-1].number + 1

    def show_card(self, rendered: RenderedCard, message_id: str) -> None:
        for line in rendered.lines:
            self.write(CARD_PREFIX + line)
        self._take_buttons(rendered, message_id)

    async def on_activity(self, record: RecordedActivity) -> None:
        """Print what the bot sent as it arrives (the connector's `on_activity` hook)."""
        activity = record.activity
        if record.operation == "delete":
            self.write(f"({self.scene.bot_name} deleted message {record.activity_id})")
            return
        if record.operation == "create_conversation":
            self.write(f"({self.scene.bot_name} opened conversation {record.conversation_id})")
            first = activity.get("activity")
            if not isinstance(first, dict):
                return
            activity = first
        kind = activity.get("type")
        if kind != "message":
            return  # typing indicators and other events are not shown
        sender = activity.get("from")
        name = (sender.get("name") if isinstance(sender, dict) else None) or self.scene.bot_name
        prefix = "(updated) " if record.operation == "update" else ""
        text = activity.get("text")
        if not (isinstance(text, str) and text.strip()) and not activity.get("attachments"):
            text = activity.get("summary")
        lines = _clean(text).splitlines() if isinstance(text, str) and text.strip() else []
        self.write(f"{prefix}{name}: {lines[0] if lines else ''}".rstrip())
        for line in lines[1:]:
            self.write("  " + line)
        for attachment in activity.get("attachments") or []:
            if isinstance(attachment, dict):
                self.show_card(render_attachment(attachment, self._next_number()),
                               record.activity_id)

    # -- input --

    async def send(self, activity: dict[str, Any]) -> Any:
        """POST one activity to the bot; return its JSON answer (invoke responses), if any.

        An HTTP error or a timeout is printed as one line; no connection raises
        `BotUnreachable`.
        """
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._fresh_turn = True
        try:
            async with self._http.post(self.bot_url, json=activity) as response:
                raw = await response.read()
                if response.status >= 400:
                    self.write(f"(the bot answered HTTP {response.status} {response.reason}"
                               f"{_error_detail(raw)})")
                    return None
                try:
                    return json.loads(raw) if raw.strip() else None
                except ValueError:
                    return None
        except aiohttp.ClientConnectorError as error:
            raise BotUnreachable(str(error)) from error
        except TimeoutError:
            self.write(f"(the bot did not answer within {self.timeout:g} s)")
        except aiohttp.ClientError as error:
            self.write(f"(the request to the bot failed: {type(error).__name__}: {error})")
        return None

    async def say(self, text: str) -> None:
        activity = self.scene.message(text, thread_id=self.thread_id)
        if self.scene.scope == "channel" and self.thread_id is None:
            self.thread_id = str(activity["id"])
        await self.send(activity)

    async def pick(self, button: CardButton, lines: _Lines) -> None:
        reply_to = self.button_messages.get(button.number, "")
        kind = button.kind
        if kind in ("Action.OpenUrl", "openUrl"):
            url = button.action.get("url") if kind == "Action.OpenUrl" else \
                button.action.get("value")
            self.write(f"(open in a browser: {url})")
            return
        if kind == "Action.ShowCard":
            card = button.action.get("card")
            if isinstance(card, dict):
                self._fresh_turn = True
                self.show_card(render_card(card), reply_to)
            return
        if kind in ("imBack", "postBack"):
            await self.say(str(button.action.get("value", "")))
            return
        if kind == "messageBack":
            if button.action.get("displayText"):
                self.write(f"(you: {button.action['displayText']})")
            await self.send(self.scene.card_submit(
                _maybe_json(button.action.get("value")), reply_to_id=reply_to,
                text=button.action.get("text"), thread_id=self.thread_id))
            return
        if kind not in _SUBMIT_ACTIONS:
            self.write(f"({kind or 'this button'} is not supported in the terminal)")
            return
        inputs = {} if button.action.get("associatedInputs") == "none" else \
            await self._ask_inputs(button.inputs, lines)
        if inputs is None:
            return
        if kind == "Action.Execute":
            data = button.action.get("data")
            merged = (dict(data) if isinstance(data, dict) else {}) | inputs
            answer = await self.send(self.scene.card_action(
                str(button.action.get("verb", "")), merged, reply_to_id=reply_to,
                title=button.title, thread_id=self.thread_id))
            self._show_invoke_answer(answer, reply_to)
            return
        data = button.action.get("data")
        msteams = data.get("msteams") if isinstance(data, dict) else None
        if isinstance(msteams, dict) and msteams.get("type") not in (None, "messageBack",
                                                                      "imBack"):
            target = msteams.get("value")
            self.write(f"({msteams.get('type')} is not supported in the terminal"
                       f"{': ' + str(target) if target else ''})")
            return
        text, value = submit_payload(button, inputs)
        if isinstance(msteams, dict) and msteams.get("displayText"):
            self.write(f"(you: {msteams['displayText']})")
        if isinstance(msteams, dict) and msteams.get("type") == "imBack":
            await self.say(text or "")
            return
        if value is None and text is not None and not isinstance(data, dict):
            await self.say(text)
            return
        await self.send(self.scene.card_submit(value, reply_to_id=reply_to, text=text,
                                               thread_id=self.thread_id))

    def _show_invoke_answer(self, answer: Any, reply_to: str) -> None:
        if not isinstance(answer, dict):
            return
        value = answer.get("value")
        if answer.get("type") == ADAPTIVE_CARD and isinstance(value, dict):
            self.write("(card updated)")
            self._fresh_turn = True
            self.show_card(render_card(value), reply_to)
        elif answer.get("type") == "application/vnd.microsoft.activity.message" and value:
            self.write(f"{self.scene.bot_name}: {_clean(value)}")

    async def _ask_inputs(self, inputs: Sequence[Mapping[str, Any]], lines: _Lines
                          ) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        for element in inputs:
            key = element.get("id")
            if not isinstance(key, str) or not key:
                continue
            default = element.get("value")
            choices = [c for c in element.get("choices") or [] if isinstance(c, dict)]
            hint = ""
            if choices:
                hint = " " + " ".join(f"{i}={c.get('title', c.get('value'))}"
                                      for i, c in enumerate(choices, 1))
            elif element.get("type") == "Input.Toggle":
                hint = " (y/n)"
            shown = f" [{default}]" if default not in (None, "") else ""
            self.out.write(f"  {_input_label(element)}{hint}{shown}: ")
            self.out.flush()
            answer = await lines.next()
            if answer is None:
                self.write("")
                return None
            if not self.interactive:
                self.write(answer)
            answer = answer.strip()
            if not answer:
                if default not in (None, ""):
                    values[key] = default
                continue
            values[key] = _input_value(element, answer, choices)
        return values

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _input_value(element: Mapping[str, Any], answer: str,
                 choices: Sequence[Mapping[str, Any]]) -> str:
    if element.get("type") == "Input.Toggle":
        yes = answer.lower() in ("y", "yes", "j", "ja", "1", "true", "x")
        return str(element.get("valueOn", "true") if yes else element.get("valueOff", "false"))
    if choices:
        picked = []
        for part in answer.split(","):
            part = part.strip()
            if part.isdigit() and 1 <= int(part) <= len(choices):
                picked.append(str(choices[int(part) - 1].get("value", "")))
            elif part:
                picked.append(part)
        return ",".join(picked)
    return answer


def _error_detail(raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace").strip().splitlines()
        return f": {text[0][:200]}" if text else ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        error = error.get("message") or error.get("code")
    return f": {str(error)[:200]}" if error else ""


def _intro(scene: TeamsScene, bot_url: str) -> str:
    where = {"personal": "a 1:1 chat",
             "group": "a group chat (@mentioning the bot)",
             "channel": f"channel {scene.channel_name} of team {scene.team_name} "
                        "(@mentioning the bot)"}[scene.scope]
    return (f"chatting with {bot_url} in {where} as {scene.user_name} "
            f"(Entra object id {scene.aad_object_id}, locale {scene.locale})\n"
            "type a message; a number picks a button of the latest card; /quit ends")


async def run_chat(args: argparse.Namespace, *, stdin: TextIO | None = None,
                   stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the chat until /quit or end of input; 0, or 2 when no bot answers."""
    source = stdin if stdin is not None else sys.stdin
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    interactive = bool(getattr(source, "isatty", lambda: False)())
    bot_url = str(getattr(args, "bot_url", None) or DEFAULT_BOT_URL)
    connector = LocalConnector(port=int(getattr(args, "connector_port", 0) or 0))
    try:
        await connector.start()
    except OSError as error:
        print(f"portfoliobot: cannot start the local connector: {error.strerror or error}",
              file=err)
        return 2
    scene = TeamsScene(
        service_url=connector.url,
        scope=getattr(args, "scope", None) or "personal",
        user_name=getattr(args, "name", None) or DEFAULT_USER_NAME,
        aad_object_id=getattr(args, "aad_id", None) or DEFAULT_AAD_OBJECT_ID,
        bot_name=getattr(args, "bot_name", None) or DEFAULT_BOT_NAME,
        locale=getattr(args, "locale", None) or DEFAULT_LOCALE,
    )
    connector.members = [scene.member()]
    connector.teams = {scene.team_id: scene.team_details()}
    session = ChatSession(scene, connector, bot_url, out, interactive=interactive,
                          timeout=float(getattr(args, "timeout", None) or DEFAULT_TIMEOUT))
    try:
        await session.send(scene.install())  # the first contact: fails when no bot runs
        session.write(_intro(scene, bot_url))
        for record in list(connector.activities):  # the welcome, printed after the intro
            await session.on_activity(record)
        connector.on_activity = session.on_activity
        lines = _Lines(source)
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await lines.next()
            if line is None:
                break
            text = line.strip()
            if not interactive:
                session.write(f"> {line}")
            if not text:
                continue
            if text.lower() in QUIT_COMMANDS:
                break
            button = session.button(text)
            if button is not None:
                await session.pick(button, lines)
                continue
            await session.say(text)
        return 0
    except BotUnreachable:
        print(f"portfoliobot: no bot answers at {bot_url}: start it with `portfoliobot serve`",
              file=err)
        return 2
    finally:
        connector.on_activity = None
        await session.close()
        await connector.stop()


def add_chat_command(subparsers: Any) -> argparse.ArgumentParser:
    """Register `chat` on the command line's subparsers; returns its parser."""
    chat: argparse.ArgumentParser = subparsers.add_parser(
        "chat", help="chat with a running bot in the terminal (Teams activities, local "
        "connector)", description=__doc__.splitlines()[0] if __doc__ else None)
    chat.add_argument("--bot-url", default=DEFAULT_BOT_URL,
                      help=f"the bot's messages endpoint (default {DEFAULT_BOT_URL})")
    chat.add_argument("--name", default=DEFAULT_USER_NAME,
                      help=f"the user's display name (default {DEFAULT_USER_NAME!r})")
    chat.add_argument("--aad-id", default=DEFAULT_AAD_OBJECT_ID,
                      help="the user's Entra object id (default: one that is not a person in "
                      "the demo portfolio)")
    chat.add_argument("--scope", choices=SCOPES, default="personal",
                      help="1:1 chat, group chat or team channel (default personal); group "
                      "and channel @mention the bot")
    chat.add_argument("--locale", default=DEFAULT_LOCALE,
                      help=f"the client's locale (default {DEFAULT_LOCALE}; e.g. en-US)")
    chat.add_argument("--bot-name", default=DEFAULT_BOT_NAME,
                      help=f"the bot's name in @mentions (default {DEFAULT_BOT_NAME})")
    chat.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                      help=f"seconds to wait for the bot per message (default "
                      f"{DEFAULT_TIMEOUT:g})")
    chat.add_argument("--connector-port", type=int, default=0,
                      help="port of the local connector on 127.0.0.1 (default: any free one)")
    return chat

"""What card buttons and forms send back, as typed payloads: built here and read here only.

Every Adaptive Card action the bot posts carries one of these as its `Action.Submit` data, and
Teams sends it back as the activity's `value` (with a form's inputs merged in) or, for the
`msteams` imBack and messageBack forms, as the message text:

- `AskPayload`: asks a question as if typed;
  `{"msteams": {"type": "messageBack", "text": q, "displayText": q}, "v": 2}`
- `CommandPayload`: sends a command as if typed;
  `{"msteams": {"type": "imBack", "value": t}, "subscription_command": t, "v": 2}`
- `FollowupPayload`: answers again for the candidate chosen;
  `{"portfoliobot": "followup", "intent", "kind", "id", "lang", "focus", "v": 2}`
- `NoneOfThesePayload`: "none of these" under a clarification;
  `{"portfoliobot": "none", "lang", "v": 2}`
- `StatusFormPayload`: the status form, with the inputs `project`, `health`, `summary` that
  Teams merges in; `{"portfoliobot": "status_form", "lang", "v": 2}`
- `StatusChoicePayload`: the project chosen for a one-message status update, and who wrote it;
  `{"portfoliobot": "status_post", "id", "lang", "health", "summary", "by", "v": 2}`

No card of this bot has an `Action.Execute`, so an `adaptiveCard/action` invoke is a stale or
forged press: `execute_response` answers it with a 400 whose body says why, whatever its value.

Cards already posted in Teams keep sending what they were built with, so `from_value` reads
every shape ever posted: the same values without `"v"` are version 1. It is tolerant: anything
else (None, text, lists, numbers, nested junk, ids out of range, a version it does not know)
gives None, never an exception. A status form whose marker is right but whose inputs are
missing or of the wrong type is still a form, with those fields None, so the user is told
what to fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from botbuilder.schema import AdaptiveCardInvokeResponse

from knowledge.answers.answers import Followup, Language
from knowledge.portfolio.model import Health

VERSION = 2                 # what `to_value` writes
VERSIONS = frozenset({1, 2})  # what `from_value` reads; 1 is a value without "v"
VERSION_KEY = "v"
MARKER_KEY = "portfoliobot"
COMMAND_KEY = "subscription_command"
MAX_ID = 2**63 - 1          # database ids are positive 64-bit integers
_DIGITS = re.compile(r"[0-9]{1,18}")
_HEALTHS = frozenset(health.value for health in Health)


@dataclass(frozen=True, slots=True)
class AskPayload:
    """A button that asks `text` as if the user had typed it (Teams messageBack)."""

    text: str
    version: int = VERSION

    def to_value(self) -> dict[str, Any]:
        return {"msteams": {"type": "messageBack", "text": self.text, "displayText": self.text},
                VERSION_KEY: VERSION}

    @classmethod
    def from_value(cls, value: object) -> AskPayload | None:
        version = _version(value)
        msteams = value.get("msteams") if isinstance(value, dict) else None
        if version is None or not isinstance(msteams, dict) \
                or msteams.get("type") != "messageBack":
            return None
        text = _text(msteams.get("text"))
        return cls(text, version) if text is not None else None


@dataclass(frozen=True, slots=True)
class CommandPayload:
    """A button that sends the command `text` as if the user had typed it (Teams imBack).

    Teams sends an imBack as a message with that text; other clients send the value, where
    `subscription_command` carries the same text (its name is from when only subscription
    buttons sent commands)."""

    text: str
    version: int = VERSION

    def to_value(self) -> dict[str, Any]:
        return {"msteams": {"type": "imBack", "value": self.text}, COMMAND_KEY: self.text,
                VERSION_KEY: VERSION}

    @classmethod
    def from_value(cls, value: object) -> CommandPayload | None:
        version = _version(value)
        if version is None or not isinstance(value, dict):
            return None
        if COMMAND_KEY in value:
            text = _text(value[COMMAND_KEY])
        else:
            msteams = value.get("msteams")
            text = _text(msteams.get("value")) if isinstance(msteams, dict) \
                and msteams.get("type") == "imBack" else None
        return cls(text, version) if text is not None else None


@dataclass(frozen=True, slots=True)
class FollowupPayload:
    """A candidate's button: answer the question again for the chosen entity."""

    MARKER: ClassVar[str] = "followup"
    followup: Followup
    version: int = VERSION

    def to_value(self) -> dict[str, Any]:
        return {MARKER_KEY: self.MARKER, **self.followup.to_dict(), VERSION_KEY: VERSION}

    @classmethod
    def from_value(cls, value: object) -> FollowupPayload | None:
        marked = _marked(value, cls.MARKER)
        if marked is None or _id(marked[0].get("id")) is None:
            return None
        try:
            followup = Followup.from_dict(marked[0])
        except (ValueError, TypeError, KeyError):
            return None
        return cls(followup, marked[1])


@dataclass(frozen=True, slots=True)
class NoneOfThesePayload:
    """"None of these" under a clarification; `language` None: the turn's own."""

    MARKER: ClassVar[str] = "none"
    language: Language | None
    version: int = VERSION

    def to_value(self) -> dict[str, Any]:
        value: dict[str, Any] = {MARKER_KEY: self.MARKER}
        if self.language is not None:
            value["lang"] = self.language.value
        return value | {VERSION_KEY: VERSION}

    @classmethod
    def from_value(cls, value: object) -> NoneOfThesePayload | None:
        marked = _marked(value, cls.MARKER)
        if marked is None:
            return None
        return cls(_language(marked[0].get("lang")), marked[1])


@dataclass(frozen=True, slots=True)
class StatusFormPayload:
    """The one-click status form: its action's data plus the inputs Teams merges in.

    An input that is missing or not what the form sends is None here: the desk then says
    which field to fill in."""

    MARKER: ClassVar[str] = "status_form"
    language: Language
    project_id: int | None = None
    health: Health | None = None
    summary: str | None = None
    version: int = VERSION

    def to_value(self) -> dict[str, Any]:
        """The action's data; with inputs set, also what Teams sends back when pressed."""
        value: dict[str, Any] = {MARKER_KEY: self.MARKER, "lang": self.language.value}
        if self.project_id is not None:
            value["project"] = str(self.project_id)
        if self.health is not None:
            value["health"] = self.health.value
        if self.summary is not None:
            value["summary"] = self.summary
        return value | {VERSION_KEY: VERSION}

    @classmethod
    def from_value(cls, value: object) -> StatusFormPayload | None:
        marked = _marked(value, cls.MARKER)
        if marked is None:
            return None
        data, version = marked
        project, summary = data.get("project"), data.get("summary")
        return cls(_language(data.get("lang")) or Language.NB,
                   _id(int(project)) if isinstance(project, str) and _DIGITS.fullmatch(project)
                   else None,
                   _health(data.get("health")),
                   summary if isinstance(summary, str) else None, version)


@dataclass(frozen=True, slots=True)
class StatusChoicePayload:
    """A clarification button of a one-message status update: the chosen project, with the
    health and summary the message gave, and who wrote it (`asker`, their aadObjectId, under
    "by"): the button posts that person's update, so only they may press it. Buttons posted
    before "by" existed read with `asker` None."""

    MARKER: ClassVar[str] = "status_post"
    project_id: int
    health: Health | None
    summary: str
    language: Language
    asker: str | None = None
    version: int = VERSION

    def to_value(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            MARKER_KEY: self.MARKER, "id": self.project_id, "lang": self.language.value,
            "health": self.health.value if self.health else None, "summary": self.summary}
        if self.asker is not None:
            value["by"] = self.asker
        return value | {VERSION_KEY: VERSION}

    @classmethod
    def from_value(cls, value: object) -> StatusChoicePayload | None:
        marked = _marked(value, cls.MARKER)
        if marked is None:
            return None
        data, version = marked
        project_id, summary = _id(data.get("id")), data.get("summary")
        if project_id is None or not isinstance(summary, str):
            return None
        asker = data.get("by")
        return cls(project_id, _health(data.get("health")), summary,
                   _language(data.get("lang")) or Language.NB,
                   asker if isinstance(asker, str) and asker else None, version)


Payload = (AskPayload | CommandPayload | FollowupPayload | NoneOfThesePayload
           | StatusFormPayload | StatusChoicePayload)
_MARKED: dict[str, type[FollowupPayload | NoneOfThesePayload | StatusFormPayload
                        | StatusChoicePayload]] = {
    kind.MARKER: kind for kind in (FollowupPayload, NoneOfThesePayload, StatusFormPayload,
                                   StatusChoicePayload)}


def from_value(value: object) -> Payload | None:
    """The payload a card action sent, of any version ever posted; None for anything else."""
    if not isinstance(value, dict):
        return None
    if MARKER_KEY in value:
        marker = value[MARKER_KEY]
        kind = _MARKED.get(marker) if isinstance(marker, str) else None
        return kind.from_value(value) if kind is not None else None
    if COMMAND_KEY in value:
        return CommandPayload.from_value(value)
    msteams = value.get("msteams")
    kind_name = msteams.get("type") if isinstance(msteams, dict) else None
    if kind_name == "imBack":
        return CommandPayload.from_value(value)
    if kind_name == "messageBack":
        return AskPayload.from_value(value)
    return None


EXECUTE_INVOKE = "adaptiveCard/action"
ERROR_TYPE = "application/vnd.microsoft.error"


def execute_response(value: object, message: str) -> AdaptiveCardInvokeResponse:
    """The invoke response to an `adaptiveCard/action` with `value`: a 400 error (the shape
    Teams shows its message from). A well-formed `Action.Execute` gets `message` (the button
    cannot be used) with code NotSupported; anything else says what is malformed."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(value, dict):
        code, text = "BadRequest", "the invoke value must be an object"
    elif not isinstance(action, dict):
        code, text = "BadRequest", "the invoke value has no action object"
    elif action.get("type") != "Action.Execute":
        code, text = "BadRequest", "an adaptiveCard/action invoke carries an Action.Execute"
    else:
        code, text = "NotSupported", message
    return AdaptiveCardInvokeResponse(status_code=400, type=ERROR_TYPE,
                                      value={"code": code, "message": text})


def language_hint(value: object) -> Language | None:
    """The language a value names under `lang`, payload or not: the language to answer in
    when it is a button the bot can no longer use."""
    return _language(value.get("lang")) if isinstance(value, dict) else None


# ----------------------------------------------------------------- reading values
def _version(value: object) -> int | None:
    """The version of a dict value (1 without "v"), or None when it is not one we read."""
    if not isinstance(value, dict):
        return None
    version = value.get(VERSION_KEY, 1)
    if isinstance(version, bool) or not isinstance(version, int) or version not in VERSIONS:
        return None
    return version


def _marked(value: object, marker: str) -> tuple[dict[Any, Any], int] | None:
    """A value carrying `marker`, with its version; None for anything else."""
    if not isinstance(value, dict) or value.get(MARKER_KEY) != marker:
        return None
    version = _version(value)
    return (value, version) if version is not None else None


def _id(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _language(value: object) -> Language | None:
    return Language(value) if value in ("nb", "en") else None


def _health(value: object) -> Health | None:
    return Health(value) if isinstance(value, str) and value in _HEALTHS else None

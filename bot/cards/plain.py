"""Plain-text replies, and the language a turn should be answered in."""

from __future__ import annotations

from botbuilder.schema import Activity

from knowledge.answers.answers import Language


def language_of(activity: Activity | None) -> Language:
    """The reply language a turn's locale suggests; bokmål unless the locale is English."""
    locale = (getattr(activity, "locale", None) or "").lower()
    return Language.EN if locale.startswith("en") else Language.NB


def plain_message(text: str, language: Language) -> Activity:
    return Activity(type="message", text=text, text_format="plain",
                    locale="en-US" if language is Language.EN else "nb-NO")

"""Plain-text replies, the language a turn should be answered in, and the locale a reply carries."""

from __future__ import annotations

from collections.abc import Mapping

from botbuilder.schema import Activity

from knowledge.answers.answers import Language

# The locale every reply and notification carries, by the language it is written in.
REPLY_LOCALE: Mapping[str, str] = {Language.NB: "nb-NO", Language.NN: "nn-NO",
                                   Language.EN: "en-US"}


def language_of(activity: Activity | None) -> Language:
    """The reply language a turn's locale suggests; bokmål unless the locale is English."""
    locale = (getattr(activity, "locale", None) or "").lower()
    return Language.EN if locale.startswith("en") else Language.NB


def reply_locale(language: Language | str) -> str:
    """The locale of a reply written in `language` (a `Language` or its code); English for an
    unknown code."""
    return REPLY_LOCALE.get(language, REPLY_LOCALE[Language.EN])


def plain_message(text: str, language: Language) -> Activity:
    return Activity(type="message", text=text, text_format="plain",
                    locale=reply_locale(language))

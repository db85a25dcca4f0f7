"""Cards that stay current: the `adaptiveCard/action` invoke a project card's `refresh`
(Universal Actions) or its "Oppdater" button sends, answered with the card built anew from
the current snapshot.

The action's data names the project by code, which of its cards it is (`view`: status,
owner, manager, people, transfer, overview) and the language. A project that has left the
portfolio, a view or verb the bot does not know, or data that is not ours gets a small card
saying so (status 200: Teams shows it in place of the old one); a value that is no
Action.Execute at all gets the 400 error body (`bot.cards.payloads.execute_response`).
"""

from __future__ import annotations

from typing import Any

from botbuilder.schema import AdaptiveCardInvokeResponse

from bot.cards.answer_cards import (
    CARD_CONTENT_TYPE,
    REFRESH_VERB,
    CardBuilder,
    project_card,
)
from bot.cards.payloads import execute_response
from bot.cards.project_links import ProjectLinks
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Intent, Language
from knowledge.answers.phrases import say
from knowledge.answers.plain_text import render

VIEWS = frozenset({"status", "owner", "manager", "people", "transfer", "overview"})


def refresh_response(value: object, answerer: Answerer, links: ProjectLinks | None,
                     language: Language, stale_message: str) -> AdaptiveCardInvokeResponse:
    """The invoke response to an `adaptiveCard/action` (see the module docstring)."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        return execute_response(value, stale_message)
    data = action.get("data")
    data = data if isinstance(data, dict) else {}
    language = _language(data.get("lang")) or language
    code, view = data.get("project"), data.get("view")
    if action.get("verb") != REFRESH_VERB or not isinstance(code, str) or view not in VIEWS:
        return _card(_message(say("refresh_unknown", language)))
    answer = answerer.about_code(code, Intent(view), language)
    if answer is None:
        return _card(_message(say("refresh_gone", language, code=code[:40])))
    return _card(project_card(answer, links).build(render(answer)))


def _message(text: str) -> dict[str, Any]:
    return CardBuilder().text(text).build(text)


def _card(card: dict[str, Any]) -> AdaptiveCardInvokeResponse:
    return AdaptiveCardInvokeResponse(status_code=200, type=CARD_CONTENT_TYPE, value=card)


def _language(value: object) -> Language | None:
    try:
        return Language(value) if isinstance(value, str) else None
    except ValueError:
        return None




"""Search from the compose box: the search-based message extension `searchProjects`.

Teams sends `composeExtension/query` as people type in the compose box or the command box;
`ProjectSearch.answer` returns the result list Teams shows: per project a thumbnail preview
(name and code; health and manager; phase) and, to insert when chosen, the project's card
(the same card as the chat answer about it). An empty query (Teams' `initialRun`) lists the
caller's own projects, then recently changed ones. An unknown command, a malformed query or
no snapshot yet gets a message result saying so, never an error.

With `PORTFOLIO_PROJECT_URL` set (`bot.cards.project_links`), a link to a project's page
pasted in Teams unfurls into the project's card (`composeExtension/queryLink`), and every
project card has a button to the page.
"""

from __future__ import annotations

from botbuilder.core import CardFactory
from botbuilder.schema import HeroCard
from botbuilder.schema.teams import (
    AppBasedLinkQuery,
    MessagingExtensionAttachment,
    MessagingExtensionQuery,
    MessagingExtensionResponse,
    MessagingExtensionResult,
)

from bot.cards.answer_cards import CARD_CONTENT_TYPE, project_card
from bot.cards.project_links import ProjectLinks
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Intent, Language, ProjectOverview
from knowledge.answers.phrases import HEALTH, PHASE, TEXT, say
from knowledge.answers.plain_text import render

SEARCH_COMMAND = "searchProjects"
QUERY_PARAMETER = "query"
MAX_QUERY_CHARACTERS = 200
UNFURL_CARD_VERSION = "1.3"   # the highest Adaptive Card version Teams shows for an unfurl


class ProjectSearch:
    """Answers the compose box's project search, and unfurls pasted links to projects (with
    `links`: `composeExtension/queryLink`), from the answerer's snapshot."""

    def __init__(self, answerer: Answerer, links: ProjectLinks | None = None) -> None:
        self.answerer = answerer
        self.links = links

    def unfurl(self, query: AppBasedLinkQuery | None, caller_aad: str | None,
               language: Language) -> MessagingExtensionResponse:
        """The project card for a pasted link to a project's page; no card (Teams shows the
        plain link) for any other link, an unknown project, or no configured link shape."""
        code = self.links.code_in(getattr(query, "url", None)) if self.links else None
        found = self.answerer.about_code(code, Intent.OVERVIEW, language) if code else None
        results = ([_result(found, self.links, UNFURL_CARD_VERSION)]
                   if isinstance(found, ProjectOverview) else [])
        return MessagingExtensionResponse(compose_extension=MessagingExtensionResult(
            type="result", attachment_layout="list", attachments=results))

    def answer(self, query: MessagingExtensionQuery | None, caller_aad: str | None,
               language: Language) -> MessagingExtensionResponse:
        if query is None or getattr(query, "command_id", None) != SEARCH_COMMAND:
            return _message(say("search_unknown_command", language))
        text = _query_text(query)
        found = self.answerer.search(text, caller_aad, language)
        if not found and text:
            return _message(say("search_nothing", language, query=text))
        return MessagingExtensionResponse(compose_extension=MessagingExtensionResult(
            type="result", attachment_layout="list",
            attachments=[_result(overview, self.links) for overview in found]))


def _query_text(query: MessagingExtensionQuery) -> str:
    """The typed text: the `query` parameter's value; '' for `initialRun` or none."""
    for parameter in query.parameters or []:
        if getattr(parameter, "name", None) == QUERY_PARAMETER:
            value = getattr(parameter, "value", None)
            return value[:MAX_QUERY_CHARACTERS].strip() if isinstance(value, str) else ""
    return ""


def _result(overview: ProjectOverview, links: ProjectLinks | None,
            version: str | None = None) -> MessagingExtensionAttachment:
    language = overview.language
    card = project_card(overview, links).build(render(overview))
    if version is not None:   # Teams renders unfurled cards up to 1.3: no Universal Actions
        card["version"] = version
        card.pop("refresh", None)
        card["actions"] = [a for a in card.get("actions", []) if a["type"] != "Action.Execute"]
    health = (HEALTH[overview.report.health][language] if overview.report
              else TEXT["no_report_short"][language])
    manager = overview.manager.name if overview.manager else TEXT["none_registered"][language]
    preview = HeroCard(title=f"{overview.project.name} ({overview.project.code})",
                       subtitle=f"{health} · {manager}", text=PHASE[overview.phase][language])
    return MessagingExtensionAttachment(content_type=CARD_CONTENT_TYPE, content=card,
                                        preview=CardFactory.hero_card(preview))


def _message(text: str) -> MessagingExtensionResponse:
    return MessagingExtensionResponse(compose_extension=MessagingExtensionResult(
        type="message", text=text))



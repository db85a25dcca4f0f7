"""Cards: data from the portfolio is shown literally, finished cards are shared, not copied, and
buttons carry typed payloads."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from bot.cards.answer_cards import REFRESH_CARD_VERSION, inert, reply_activity
from bot.cards.payloads import CommandPayload, NoneOfThesePayload, from_value
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import (
    Candidate,
    Clarification,
    Language,
    ProjectStatus,
    ProjectView,
    ReportView,
)
from knowledge.language.name_index import EntityKind
from knowledge.portfolio.model import Health


def status_with_summary(summary: str) -> ProjectStatus:
    report = ReportView(Health.RED, summary, datetime(2026, 11, 20, tzinfo=UTC), None, 6, "chat")
    return ProjectStatus(Language.NB, ProjectView(1, "RP-001", "Regional EPJ-modernisering"), report)


def test_markdown_and_links_in_data_are_escaped() -> None:
    assert inert("**fet** [lenke](http://x)") == r"\*\*fet\*\* \[lenke\]\(http://x\)"


def test_hostile_summary_stays_text_in_card_and_fallback() -> None:
    hostile = '[klikk](http://evil.example) {"type": "Action.OpenUrl"} <at>alle</at>'
    activity = reply_activity(status_with_summary(hostile))
    card = activity.attachments[0].content
    assert card["version"] == REFRESH_CARD_VERSION   # a status card stays current
    blocks = [b["text"] for b in card["body"] if b.get("type") == "TextBlock"]
    assert inert(hostile) in blocks
    # The only action is the card's own refresh: user text never becomes an action.
    assert [a["type"] for a in card.get("actions", [])] == ["Action.Execute"]
    assert card["actions"][0]["data"] == card["refresh"]["action"]["data"]
    assert activity.text is None, "a card reply shows the card only"
    assert hostile in activity.summary and card["fallbackText"] == activity.summary
    json.dumps(card)  # plain JSON all through


def test_finished_card_is_shared_by_deepcopy() -> None:
    activity = reply_activity(status_with_summary("ok"))
    copied = copy.deepcopy(activity)
    assert copied.attachments[0].content is activity.attachments[0].content
    assert copied.attachments[0] is not activity.attachments[0]


def test_a_clarifications_command_buttons_send_the_command_as_typed() -> None:
    """Knowledge names the command; the card makes it a Teams imBack that sends that text."""
    clarification = Clarification(
        Language.NB, "trådløst nett",
        (Candidate(EntityKind.PROJECT, 17, "Trådløst nett fase II", "ST-007"),
         Candidate(EntityKind.PROJECT, 18, "Trådløst nett fase I", "ST-008")),
        commands=("abonner ST-007", "abonner ST-008"))
    actions = reply_activity(clarification).attachments[0].content["actions"]
    assert [a["data"]["msteams"] for a in actions[:2]] == [
        {"type": "imBack", "value": "abonner ST-007"}, {"type": "imBack", "value": "abonner ST-008"}]
    assert [from_value(a["data"]) for a in actions] == [
        CommandPayload("abonner ST-007"), CommandPayload("abonner ST-008"),
        NoneOfThesePayload(Language.NB)]


def test_everyone_on_a_project_is_shown_like_its_owner_and_manager(
        demo_answerer: Answerer) -> None:
    """Role as the label, the person (title, organisation) as the value, for members too."""
    for question in ("Hvem er med i RP-001?", "Fortell om RP-001"):
        card = reply_activity(demo_answerer.answer(question)).attachments[0].content
        facts = [fact for block in card["body"] if block.get("type") == "FactSet"
                 for fact in block["facts"]]
        titles = [fact["title"] for fact in facts]
        assert {"Prosjekteier", "Prosjektleder", "Arkitekt", "Økonomi",
                "Styringsgruppeleder"} <= set(titles), (question, titles)
        architect = next(fact["value"] for fact in facts if fact["title"] == "Arkitekt")
        assert "(" in architect and architect.endswith(")"), architect   # name (title, org)

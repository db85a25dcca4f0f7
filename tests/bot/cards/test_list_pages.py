"""A list continued ("vis flere") and shown whole ("vis alle") as cards: the part shown is
said, and the whole list at its longest still fits one Teams message."""

from __future__ import annotations

import json

from bot.cards.answer_cards import reply_activity
from knowledge.answers.answers import Language, ListFilters, ProjectList, ProjectListItem, ProjectView
from knowledge.answers.follow_ups import ALL_AT_MOST, PAGE
from knowledge.portfolio.model import Health, Phase, TransferStatus

TEAMS_MESSAGE_BYTES = 28 * 1024   # Teams refuses a message (card included) above about 28 KB


def items(count: int) -> tuple[ProjectListItem, ...]:
    return tuple(ProjectListItem(
        ProjectView(n, f"RP-{n:05d}", f"Regional løsning for pasientflyt og ressursstyring {n}"),
        Phase.EXECUTION, Health.YELLOW, TransferStatus.IN_PROGRESS) for n in range(1, count + 1))


def card_text(answer: ProjectList) -> str:
    return json.dumps(reply_activity(answer).attachments[0].content, ensure_ascii=False)


def test_the_next_page_says_which_part_it_shows() -> None:
    answer = ProjectList(Language.NB, ListFilters(), items(23), total=23, shown_limit=PAGE,
                         first=10)
    shown = card_text(answer)
    assert "Prosjekt 11–20 av 23:" in shown and "RP-00011" in shown and "RP-00020" in shown
    assert "RP-00010" not in shown and "RP-00021" not in shown
    assert "og 3 til" in shown


def test_past_the_end_it_says_that_was_all() -> None:
    answer = ProjectList(Language.EN, ListFilters(), items(12), total=12, first=12)
    assert "That was all 12." in card_text(answer)


def test_the_whole_list_at_its_longest_fits_one_teams_message() -> None:
    answer = ProjectList(Language.NB, ListFilters(), items(400), total=400,
                         shown_limit=ALL_AT_MOST, first=0)
    activity = reply_activity(answer)
    size = len(json.dumps(activity.serialize(), ensure_ascii=False).encode("utf-8"))
    assert size < TEAMS_MESSAGE_BYTES, size
    assert f"og {400 - ALL_AT_MOST} til" in card_text(answer)

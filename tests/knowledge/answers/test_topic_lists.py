"""A list question about a topic lists every project about it, even when the topic word is
one project's alias (found as a new user on a generated portfolio: "Hvilke prosjekter handler
om talegjenkjenning?" listed only the project with that alias)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.synthetic import generate
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import ProjectList, ProjectPeople
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.validation import validate

TODAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
WORD = "talegjenkjenning"


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    records, skipped = validate(generate(60, seed=777))
    assert not skipped
    return build_snapshot(records, TODAY)


def about(snapshot: Snapshot, word: str) -> set[str]:
    return {p.code for p in snapshot.projects.values()
            if word in p.name.casefold() or word in (a.casefold() for a in p.aliases)}


@pytest.mark.parametrize("question", ["Hvilke prosjekter handler om talegjenkjenning?",
                                      "Kva prosjekt handlar om talegjenkjenning?",
                                      "which projects are about speech recognition?"])
def test_every_project_about_the_topic_is_listed(snapshot: Snapshot, question: str) -> None:
    expected = about(snapshot, WORD)
    assert len(expected) >= 2 and any(WORD in p.aliases for p in snapshot.projects.values()), \
        "the portfolio has the case: one project's alias, another's name"
    answer = Answerer(lambda: snapshot, clock=lambda: TODAY).answer(question)
    assert isinstance(answer, ProjectList), answer
    assert {item.project.code for item in answer.items} == expected


def test_the_project_with_the_alias_is_still_the_one_asked_about(snapshot: Snapshot) -> None:
    [aliased] = [p for p in snapshot.projects.values() if WORD in p.aliases]
    answer = Answerer(lambda: snapshot, clock=lambda: TODAY).answer(
        "Hvem leder prosjektet om talegjenkjenning?")
    assert isinstance(answer, ProjectPeople) and answer.project.code == aliased.code

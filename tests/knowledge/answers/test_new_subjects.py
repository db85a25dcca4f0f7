""""hva med X?" asks the last question about X, never again about the last subject.

Found as a new user on a generated portfolio: after "hvem eier klientplatformen?", the
follow-up "hva med dokumentskaning?" (a typo; two projects are about document scanning) was
answered about Klientplattform again, because a topic without a question word was no reading.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.synthetic import generate
from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Clarification, NotFound, ProjectPeople, ProjectStatus
from knowledge.answers.conversation import Memory
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.validation import validate

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def answerer() -> Answerer:
    records, skipped = validate(generate(60, seed=777))
    assert not skipped
    snapshot: Snapshot = build_snapshot(records, NOW)
    return Answerer(lambda: snapshot, clock=lambda: NOW)


def talk(answerer: Answerer, *messages: str) -> list[object]:
    memory: Memory | None = None
    answers = []
    for text in messages:
        exchange = answerer.answer_with(text, memory)
        if exchange.memory is not None and exchange.changed(memory):
            memory = exchange.memory
        answers.append(exchange.answer)
    return answers


def test_a_new_subject_found_by_topic_is_asked_about(answerer: Answerer) -> None:
    first, which, picked, status = talk(answerer, "hvem eier klientplatformen?",
                                        "hva med dokumentskaning?", "2", "and its status?")
    assert isinstance(first, ProjectPeople) and first.project.code == "RP-00002"
    assert isinstance(which, Clarification), which
    names = [c.label for c in which.candidates]
    assert len(names) == 2 and all("dokumentskanning" in n for n in names)
    assert isinstance(picked, ProjectPeople) and picked.project.name == names[1]
    assert picked.focus.value == "owner", "the owner question, about the new subject"
    assert isinstance(status, ProjectStatus) and status.project.name == names[1]


@pytest.mark.parametrize("follow_up", ["hva med været?", "what about the weather?",
                                       "kva med vêret?"])
def test_a_new_subject_that_names_nothing_is_not_found(answerer: Answerer,
                                                       follow_up: str) -> None:
    _, answer = talk(answerer, "hvem eier klientplatformen?", follow_up)
    assert isinstance(answer, NotFound), answer

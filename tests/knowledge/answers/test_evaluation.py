"""The evaluation set over the demo portfolio (today = 2026-11-26), and that its check can fail."""

from __future__ import annotations

import pytest

from knowledge.answers.answering import Answerer
from knowledge.answers.evaluation import (
    REQUIRED_ACCURACY,
    Case,
    accuracy,
    check,
    evaluate,
    load_cases,
    report,
)

ANSWER_TYPES = {
    "Greeting", "Thanks", "Help", "ProjectPeople", "ProjectStatus", "ProjectTransfer",
    "ProjectOverview", "PersonProjects", "ProjectList", "FaqAnswer", "Clarification",
    "NotFound", "NotUnderstood",
}


def test_the_set_is_large_and_bilingual() -> None:
    cases = load_cases()
    assert len(cases) >= 80
    languages = {case.language for case in cases}
    assert languages == {"nb", "en"}
    assert len({case.question for case in cases}) == len(cases), "a question is listed twice"
    assert {case.answer_type for case in cases} <= ANSWER_TYPES


def test_the_set_reaches_the_required_accuracy(demo_answerer: Answerer) -> None:
    outcomes = evaluate(demo_answerer)
    share = accuracy(outcomes)
    failures = [outcome for outcome in outcomes if not outcome.passed]
    # report() ends with its own accuracy line, which over the failures alone would read 0%
    details = "\n".join(report(failures).splitlines()[:-1])
    assert share >= REQUIRED_ACCURACY, (
        f"accuracy {len(outcomes) - len(failures)}/{len(outcomes)} = {share:.1%}, "
        f"required {REQUIRED_ACCURACY:.0%}; failing cases:\n{details}")


RIGHT = Case("Hvem eier Regional EPJ-modernisering?", "ProjectPeople", "nb",
             ("RP-001", "Hilde Johansen"), ("Ola Hansen",), ("owner",))

WRONG = [
    pytest.param(Case(RIGHT.question, "ProjectPeople", "nb", ("Kari Nordmann",), (), ()),
                 id="wrong-fact"),
    pytest.param(Case(RIGHT.question, "ProjectStatus", "nb", ("RP-001",), (), ()),
                 id="wrong-type"),
    pytest.param(Case(RIGHT.question, "ProjectPeople", "en", ("RP-001",), (), ()),
                 id="wrong-language"),
    pytest.param(Case(RIGHT.question, "ProjectPeople", "nb", (), ("Hilde Johansen",), ()),
                 id="rejects-the-answer"),
]


def test_a_right_case_passes(demo_answerer: Answerer) -> None:
    outcome = check(RIGHT, demo_answerer)
    assert outcome.passed, outcome.problems


@pytest.mark.parametrize("wrong", WRONG)
def test_a_wrong_case_fails_the_accuracy_check(demo_answerer: Answerer, wrong: Case) -> None:
    outcome = check(wrong, demo_answerer)
    assert not outcome.passed
    assert outcome.problems
    outcomes = evaluate(demo_answerer, [RIGHT, wrong])
    assert accuracy(outcomes) == 0.5
    assert accuracy(outcomes) < REQUIRED_ACCURACY
    text = report(outcomes)
    assert "FAIL" in text
    assert "accuracy: 1/2" in text

"""The evaluation set: questions over the demo portfolio with the facts each answer must hold.

Each case names the answer type, the language, strings the plain-text answer must contain
and strings it must not. `evaluate` runs them all through the real pipeline and reports.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from knowledge.answers.answering import Answerer
from knowledge.answers.plain_text import render
from knowledge.language.text import fold

REQUIRED_ACCURACY = 0.95


@dataclass(frozen=True)
class Case:
    question: str
    answer_type: str
    language: str
    expect: tuple[str, ...]
    reject: tuple[str, ...]
    tags: tuple[str, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        return cls(data["q"], data["type"], data.get("lang", "nb"), tuple(data.get("expect", ())),
                   tuple(data.get("reject", ())), tuple(data.get("tags", ())))


@dataclass(frozen=True)
class Outcome:
    case: Case
    passed: bool
    got_type: str
    got_language: str
    text: str
    problems: tuple[str, ...]


def load_cases() -> list[Case]:
    raw = resources.files("knowledge").joinpath("data/evaluation.json").read_text("utf-8")
    return [Case.from_dict(item) for item in json.loads(raw)]


def check(case: Case, answerer: Answerer) -> Outcome:
    answer = answerer.answer(case.question)
    text = render(answer)
    folded = fold(text)
    problems: list[str] = []
    got_type = type(answer).__name__
    if got_type != case.answer_type:
        problems.append(f"type {got_type}, expected {case.answer_type}")
    if answer.language.value != case.language:
        problems.append(f"language {answer.language.value}, expected {case.language}")
    problems += [f"missing {e!r}" for e in case.expect if fold(e) not in folded]
    problems += [f"unwanted {r!r}" for r in case.reject if fold(r) in folded]
    return Outcome(case, not problems, got_type, answer.language.value, text, tuple(problems))


def evaluate(answerer: Answerer, cases: Iterable[Case] | None = None) -> list[Outcome]:
    return [check(case, answerer) for case in (load_cases() if cases is None else cases)]


def report(outcomes: list[Outcome], verbose: bool = False) -> str:
    lines: list[str] = []
    for number, outcome in enumerate(outcomes, start=1):
        mark = "ok  " if outcome.passed else "FAIL"
        lines.append(f"{mark} {number:3d} [{outcome.case.language}] {outcome.case.question}")
        if not outcome.passed:
            lines.extend(f"         - {problem}" for problem in outcome.problems)
        if verbose or not outcome.passed:
            lines.extend(f"         | {line}" for line in outcome.text.splitlines()[:6])
    passed = sum(1 for o in outcomes if o.passed)
    share = passed / len(outcomes) if outcomes else 0.0
    lines.append(f"accuracy: {passed}/{len(outcomes)} = {share:.1%} "
                 f"(required {REQUIRED_ACCURACY:.0%})")
    return "\n".join(lines)


def accuracy(outcomes: list[Outcome]) -> float:
    return sum(1 for o in outcomes if o.passed) / len(outcomes) if outcomes else 0.0

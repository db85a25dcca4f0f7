"""The evaluation harness: questions with the facts each answer must hold, run and reported.

Two sets feed it. The concrete set (`data/evaluation.json`, `load_cases`) asks fixed questions
about the demo portfolio. The templated set (`data/question_templates.json`, see
`question_templates.template_cases`) is instantiated on whatever portfolio is connected and
its expected facts are computed from that portfolio's records.

A `Case` names the answer type (empty: any), the language, strings the plain-text answer must
contain and strings it must not, groups of which one must appear (in the text, or in its first
line), the total its first line must state, and which project codes it may show. `check`
compares folded text (lower case, æøå spelled out), so "Ødegård" and "odegard" are equal.
`report` gives passed/total per kind and overall; `meets_bar` is the bar a release must pass.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol

from knowledge.answers.answers import Answer
from knowledge.answers.plain_text import render
from knowledge.language.text import fold
from knowledge.portfolio.demo_database import demo_portfolio
from knowledge.portfolio.snapshot import PortfolioRecords

REQUIRED_ACCURACY = 0.95        # overall
REQUIRED_KIND_ACCURACY = 0.90   # in every kind
CONCRETE = "concrete"           # the kind of the concrete demo set's cases

# How the first line of a list or overview states its total: (noun for 1, noun for more, none).
TOTAL_WORDS = {"nb": ("prosjekt", "prosjekter", "ingen"), "nn": ("prosjekt", "prosjekt", "ingen"),
               "en": ("project", "projects", "no")}


class AnswersQuestions(Protocol):
    def answer(self, question: str) -> Answer: ...


@dataclass(frozen=True)
class Case:
    question: str
    answer_type: str                 # "" accepts any type, "A|B" either
    language: str
    expect: tuple[str, ...]
    reject: tuple[str, ...]
    tags: tuple[str, ...]
    kind: str = CONCRETE
    one_of: tuple[tuple[str, ...], ...] = ()       # one string of each group must appear
    first_line: tuple[tuple[str, ...], ...] = ()   # ... in the answer's first line
    total: int | None = None                       # the first line states this many projects
    codes: frozenset[str] = frozenset()            # every project code of the portfolio
    allowed: frozenset[str] | None = None          # the codes it may show (None: any)
    whole_words: bool = False                      # match strings as whole words only

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


def is_demo_portfolio(records: PortfolioRecords) -> bool:
    """The records are the shipped demo portfolio (the same projects by code and name), so
    the concrete set, written for the demo, applies."""
    demo = {(row["code"], row["name"]) for row in demo_portfolio()["project"]}
    return demo == {(project.code, project.name) for project in records.projects}


@lru_cache(maxsize=4096)
def _pattern(folded: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")


def contains(text: str, wanted: str, whole_words: bool) -> bool:
    """`wanted` occurs in the folded `text` (as whole words when asked)."""
    needle = fold(wanted)
    return bool(_pattern(needle).search(text)) if whole_words else needle in text


def states_total(first_line: str, total: int, language: str) -> bool:
    """The folded first line says `total` projects: "3 prosjekter", "3 røde prosjekter",
    "1 project", "Ingen prosjekter"; up to four words may stand between number and noun."""
    one, many, none = TOTAL_WORDS.get(language, TOTAL_WORDS["nb"])
    number = none if total == 0 else str(total)
    noun = one if total == 1 else many
    between = r"(?:\s+[^\W\d]+[,]?){0,4}"
    return bool(re.search(rf"(?<![\w.,]){number}{between}\s+{noun}(?!\w)", first_line))


def shown_codes(folded_text: str, codes: frozenset[str]) -> set[str]:
    """The project codes the text shows, as "(CODE)" or as a word of its own."""
    return set(re.findall(r"[\w-]+", folded_text)) & codes


def check(case: Case, answerer: AnswersQuestions) -> Outcome:
    answer = answerer.answer(case.question)
    text = render(answer)
    folded = fold(text)
    problems: list[str] = []
    got_type = type(answer).__name__
    if case.answer_type and got_type not in case.answer_type.split("|"):
        problems.append(f"type {got_type}, expected {case.answer_type}")
    if answer.language.value != case.language:
        problems.append(f"language {answer.language.value}, expected {case.language}")
    problems += text_problems(case, folded)
    return Outcome(case, not problems, got_type, answer.language.value, text, tuple(problems))


def text_problems(case: Case, folded: str) -> list[str]:
    """What the folded answer text lacks or holds against `case`'s expectations: facts,
    refused facts, one-of groups, the first line's names and total, projects not allowed."""
    first = folded.split("\n", 1)[0]
    whole = case.whole_words
    problems = [f"missing {e!r}" for e in case.expect if not contains(folded, e, whole)]
    problems += [f"unwanted {r!r}" for r in case.reject if contains(folded, r, whole)]
    problems += [f"missing one of {group!r}" for group in case.one_of
                 if not any(contains(folded, e, whole) for e in group)]
    problems += [f"first line lacks one of {group!r}" for group in case.first_line
                 if not any(contains(first, e, whole) for e in group)]
    if case.total is not None and not states_total(first, case.total, case.language):
        problems.append(f"first line does not state {case.total} project(s)")
    if case.allowed is not None:
        extra = shown_codes(folded, case.codes) - case.allowed
        if extra:
            problems.append(f"shows {', '.join(sorted(extra)).upper()}, which it must not")
    return problems


def evaluate(answerer: AnswersQuestions, cases: Iterable[Case] | None = None) -> list[Outcome]:
    return [check(case, answerer) for case in (load_cases() if cases is None else cases)]


def accuracy(outcomes: Sequence[Outcome]) -> float:
    return sum(1 for o in outcomes if o.passed) / len(outcomes) if outcomes else 0.0


def by_kind(outcomes: Sequence[Outcome]) -> dict[str, tuple[int, int]]:
    """(passed, total) per kind, kinds in the order they first appear."""
    totals: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    for outcome in outcomes:
        totals[outcome.case.kind] += 1
        passed[outcome.case.kind] += outcome.passed
    return {kind: (passed[kind], totals[kind]) for kind in totals}


def meets_bar(outcomes: Sequence[Outcome]) -> bool:
    """At least REQUIRED_ACCURACY overall and REQUIRED_KIND_ACCURACY in every kind."""
    return bool(outcomes) and accuracy(outcomes) >= REQUIRED_ACCURACY and all(
        passed / total >= REQUIRED_KIND_ACCURACY for passed, total in by_kind(outcomes).values())


def report(outcomes: Sequence[Outcome], verbose: bool = False,
           skipped: Sequence[str] = ()) -> str:
    """Each case (failures with their problems and answer), then the figures per kind, the
    skipped templates and, last, the overall accuracy."""
    lines: list[str] = []
    for number, outcome in enumerate(outcomes, start=1):
        mark = "ok  " if outcome.passed else "FAIL"
        kind = "" if outcome.case.kind == CONCRETE else f" {outcome.case.kind}"
        lines.append(f"{mark} {number:3d} [{outcome.case.language}{kind}] "
                     f"{outcome.case.question}")
        if not outcome.passed:
            lines.extend(f"         - {problem}" for problem in outcome.problems)
        if verbose or not outcome.passed:
            lines.extend(f"         | {line}" for line in outcome.text.splitlines()[:6])
    kinds = by_kind(outcomes)
    if len(kinds) > 1 or CONCRETE not in kinds:
        for kind, (passed, total) in kinds.items():
            lines.append(f"{kind:>12}: {passed}/{total} = {passed / total:.1%}")
    if skipped:
        lines.append(f"skipped: {len(skipped)} template(s) that nothing in the portfolio fits")
        lines.extend(f"         - {line}" for line in skipped)
    passed = sum(1 for o in outcomes if o.passed)
    share = passed / len(outcomes) if outcomes else 0.0
    lines.append(f"accuracy: {passed}/{len(outcomes)} = {share:.1%} "
                 f"(required {REQUIRED_ACCURACY:.0%}, {REQUIRED_KIND_ACCURACY:.0%} per kind)")
    return "\n".join(lines)

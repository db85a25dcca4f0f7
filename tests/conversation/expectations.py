"""What one turn's reply must show, and the check of a reply as a person reads it.

An `Expectation` wraps the oracle's `Case` (knowledge/answers/oracle.py: strings the reply
must and must not hold, the total its first line states, the project codes it may show) and
adds what a conversation needs on top:

- `patterns`: regular expressions the folded reply must match, such as which part of a list a
  continued answer shows ("prosjekt 11–20 av 36") or a clarification's numbered lines;
- `reject_first_line`: strings its first line must not hold (a follow-up from someone who
  never named the project must not be answered with its manager);
- `pick`: the reply to a clarification by number ("2", "den første"): which candidate that is
  can only be read off the clarification the bot actually sent, so the expectation holds one
  answer per candidate and `resolve` chooses by the numbered line.

`check_reply` compares folded text (lower case, æøå spelled out) as `evaluation.check` does,
without the answer type and language, which the text Teams shows does not carry.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.answers.evaluation import Case, contains, text_problems
from knowledge.language.text import fold

NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.+)$")


@dataclass(frozen=True)
class Candidate:
    """One entity a clarification may offer: the strings that identify it on a numbered line
    (a project's code and name, a person's full name) and the answer picking it must get."""

    names: tuple[str, ...]
    expectation: Expectation


@dataclass(frozen=True)
class Pick:
    """The `number`-th candidate of the clarification answered at the turn that bound `of`."""

    number: int
    of: str
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Expectation:
    case: Case
    patterns: tuple[tuple[str, str], ...] = ()     # (regex on the folded reply, what it says)
    reject_first_line: tuple[str, ...] = ()
    pick: Pick | None = None
    clarifies: str | None = None                   # the slot whose candidates this reply lists


def numbered_line(text: str, number: int) -> str | None:
    """The text of the line "<number>. …" of a reply, if there is one."""
    for line in text.splitlines():
        match = NUMBERED.match(line)
        if match and int(match.group(1)) == number:
            return match.group(2)
    return None


def resolve(pick: Pick, clarification: str | None) -> Expectation | str:
    """The expectation of the candidate the clarification numbered `pick.number`, or why
    there is none."""
    if clarification is None:
        return f"no clarification for {pick.of!r} was answered before"
    line = numbered_line(clarification, pick.number)
    if line is None:
        return f"the clarification has no line numbered {pick.number}"
    folded = fold(line)
    best: tuple[int, Candidate] | None = None
    for candidate in pick.candidates:
        for name in candidate.names:
            if contains(folded, name, True) and (best is None or len(name) > best[0]):
                best = (len(name), candidate)
    if best is None:
        return f"line {pick.number} of the clarification names none of the candidates: {line!r}"
    return best[1].expectation


def check_reply(expectation: Expectation, text: str,
                clarifications: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """What is wrong with `text` as the reply this expectation describes (empty: right)."""
    if not text.strip():
        return ("no reply text",)
    if expectation.pick is not None:
        chosen = resolve(expectation.pick, (clarifications or {}).get(expectation.pick.of))
        if isinstance(chosen, str):
            return (chosen,)
        expectation = chosen
    case = expectation.case
    folded = fold(text)
    first = folded.split("\n", 1)[0]
    problems = text_problems(case, folded)
    problems += [f"does not say {what}" for pattern, what in expectation.patterns
                 if not re.search(pattern, folded, re.MULTILINE)]
    problems += [f"first line names {r!r}" for r in expectation.reject_first_line
                 if contains(first, r, True)]
    return tuple(problems)

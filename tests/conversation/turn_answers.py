"""The expected reply of each turn of a conversation script, computed from the records.

The facts come from the templated evaluation's oracle (knowledge/answers/oracle.py): a
project fact, a filtered list, a person, a programme, a first name two people share. What a
conversation adds is computed here, as plainly:

- a list continued ("vis flere", "show all") shows the next ten or the rest of the list the
  conversation last got, says which part ("Prosjekt 11–20 av 36"), and past the end says it
  was all;
- a clarification of a name that two or three projects start with lists them, numbered;
- a pick ("2", "the second one") gets, for whichever candidate the clarification numbered so,
  the answer the original question would have got about it;
- someone who never named the project gets nothing about it (`not_about`).

`expect_turn` raises `oracle.Unfit` when this binding cannot make a fair turn.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from knowledge.answers import oracle
from knowledge.answers.evaluation import Case
from knowledge.answers.oracle import Asked, Facts, Topic, Unfit, label, words_of
from knowledge.answers.question_templates import first_name
from knowledge.language.text import fold
from knowledge.portfolio.model import Person, Programme, Project
from tests.conversation.expectations import Candidate, Expectation, Pick

NUMBERED_LINES = ((r"^\s*1[.)]\s", "a line numbered 1."), (r"^\s*2[.)]\s", "a line numbered 2."))
PERSON_FACTS = ("owner", "manager", "latest_author")
OF = {"nb": "av", "nn": "av", "en": "of"}          # "Prosjekt 11–20 av 36"
ALL = {"nb": "alle", "nn": "alle", "en": "all"}    # "Det var alle 36"


class ScriptError(ValueError):
    """A script does not follow the format its file's "about" describes."""


@dataclass(frozen=True)
class SharedName:
    """The first word of two or three projects' names and of nothing else the portfolio
    names: asked about by it alone, the bot must ask which. `target` is the candidate a
    person picks by name, `rest` the words of its name that tell it from the others."""

    text: str
    projects: tuple[Project, ...]
    target: Project
    rest: str


@dataclass
class Conversation:
    """What the turns so far left behind: the last list and how much of it was shown, and the
    candidates of each clarification (by slot)."""

    listed: list[Project] | None = None
    shown: int = 0
    clarified: dict[str, list[Any]] = field(default_factory=dict)


def expect_turn(spec: Mapping[str, Any], binding: Mapping[str, Any], facts: Facts,
                asked: Asked, conversation: Conversation) -> Expectation:
    """The expectation of one turn's reply (`spec` as in the scripts file)."""
    if "fact" in spec and "project" in spec:
        return Expectation(oracle.fact_case(spec["fact"], project_of(binding[spec["project"]]),
                                            facts, asked))
    if "list" in spec:
        return listed(spec, binding, facts, asked, conversation)
    if "more" in spec or "all" in spec:
        return continued(bool(spec.get("all")), facts, asked, conversation)
    if "clarify" in spec:
        return clarification(spec["clarify"], binding, facts, asked, conversation)
    if "picked" in spec:
        return picked(spec, binding, facts, asked, conversation)
    if "person_projects" in spec:
        return person_projects(person_of(binding[spec["person_projects"]]), facts, asked)
    if "person" in spec:
        return Expectation(oracle.person_case(person_of(binding[spec["person"]]), facts, asked))
    if "programme" in spec:
        value = binding[spec["programme"]]
        if not isinstance(value, Programme):
            raise ScriptError(f"{spec['programme']!r} is no programme slot")
        return Expectation(oracle.programme_case(value, facts, asked))
    if "not_about" in spec:
        return not_about(project_of(binding[spec["not_about"]]), spec["fact"], facts, asked)
    raise ScriptError(f"unknown expectation {dict(spec)!r}")


def project_of(value: Any) -> Project:
    if isinstance(value, Project):
        return value
    if isinstance(value, Topic):
        return value.project
    if isinstance(value, SharedName):
        return value.target
    raise ScriptError(f"{value!r} is no project")


def person_of(value: Any) -> Person:
    if not isinstance(value, Person):
        raise ScriptError(f"{value!r} is no person")
    return value


def case(asked: Asked, facts: Facts, *, expect: Sequence[str] = (),
         reject: Sequence[str] = (), first_line: Sequence[tuple[str, ...]] = (),
         total: int | None = None, allowed: Sequence[Project] | None = None) -> Case:
    return Case(asked.question, "", asked.language, tuple(expect), tuple(reject), asked.tags,
                asked.kind, (), tuple(first_line), total, facts.codes,
                None if allowed is None else frozenset(fold(p.code) for p in allowed),
                whole_words=True)


# ------------------------------------------------------------------------------- lists
def listed(spec: Mapping[str, Any], binding: Mapping[str, Any], facts: Facts, asked: Asked,
           conversation: Conversation) -> Expectation:
    found = oracle.list_case(spec["list"], binding, facts, asked,
                             bool(spec.get("allow_empty")), bool(spec.get("count")))
    total = found.total or 0
    if total < int(spec.get("min_total", 0)):
        raise Unfit(f"the list has {total} projects, the script needs {spec['min_total']}")
    if spec.get("narrows") and (conversation.listed is None
                                or total >= len(conversation.listed)):
        raise Unfit(f"{total} projects: no narrower than the list before")
    allowed = found.allowed or frozenset()
    conversation.listed = [p for p in facts.projects if fold(p.code) in allowed]
    conversation.shown = 0 if spec.get("count") else min(total, oracle.LIST_LIMIT)
    return Expectation(found)


def part_pattern(first: int, last: int, total: int, language: str) -> str:
    """"Prosjekt 11–20 av 36" / "Projects 11–20 of 36", folded; "18 av 18" for one."""
    span = rf"{first}\s*[–-]\s*{last}" if first != last else rf"{first}(?:\s*[–-]\s*{last})?"
    return rf"(?<![\w.]){span}\s+{OF[language]}\s+{total}(?!\w)"


def all_pattern(total: int, language: str) -> str:
    """A line that says all `total` were shown: "Det var alle 18", "That was all 18"."""
    return rf"^(?=[^\n]*\b{ALL[language]}\b)(?=[^\n]*(?<![\w.]){total}(?!\w))"


def continued(everything: bool, facts: Facts, asked: Asked,
              conversation: Conversation) -> Expectation:
    if conversation.listed is None:
        raise ScriptError("'more'/'all' before any list")
    projects, shown = conversation.listed, conversation.shown
    total = len(projects)
    if shown >= total:
        if everything:
            raise Unfit("'show all' after the whole list was shown: the rest is nothing")
        return Expectation(case(asked, facts, allowed=()), patterns=(
            (all_pattern(total, asked.language), f"that it was all {total}"),))
    page = projects[shown:] if everything else projects[shown: shown + oracle.LIST_LIMIT]
    conversation.shown = shown + len(page)
    expect = [label(p) for p in page]
    after = total - conversation.shown
    if after:
        expect.append(oracle.MORE[asked.language].format(n=after))
    part = part_pattern(shown + 1, conversation.shown, total, asked.language)
    return Expectation(case(asked, facts, expect=expect, allowed=page),
                       patterns=((part, f"projects {shown + 1}–{conversation.shown} of {total}"),))


# ---------------------------------------------------------------------- clarifications
def clarification(slot: str, binding: Mapping[str, Any], facts: Facts, asked: Asked,
                  conversation: Conversation) -> Expectation:
    value = binding[slot]
    if isinstance(value, SharedName):
        conversation.clarified[slot] = list(value.projects)
        found = case(asked, facts, expect=[p.name for p in value.projects],
                     allowed=value.projects)
    else:
        person = person_of(value)
        found = oracle.first_name_case(first_name(person), facts, asked)
        holders = name_holders(person, facts)
        if len(holders) < 2:
            raise Unfit(f"{first_name(person)} is held by one person only")
        conversation.clarified[slot] = holders
    return Expectation(found, patterns=NUMBERED_LINES, clarifies=slot)


def name_holders(person: Person, facts: Facts) -> list[Person]:
    first = words_of(first_name(person))
    return sorted((p for p in facts.persons.values() if words_of(p.full_name)[:1] == first),
                  key=lambda p: p.id)


def picked(spec: Mapping[str, Any], binding: Mapping[str, Any], facts: Facts, asked: Asked,
           conversation: Conversation) -> Expectation:
    slot = spec["of"]
    if slot not in conversation.clarified:
        raise ScriptError(f"a pick of {slot!r} before its clarification")
    candidates: list[Candidate] = []
    for entity in conversation.clarified[slot]:
        if isinstance(entity, Project):
            expectation = Expectation(oracle.fact_case(spec["fact"], entity, facts, asked))
            candidates.append(Candidate((entity.code, entity.name), expectation))
        elif spec.get("person") == "card":
            candidates.append(Candidate((entity.full_name,), Expectation(
                oracle.person_case(entity, facts, asked))))
        else:
            candidates.append(Candidate((entity.full_name,),
                                        person_projects(entity, facts, asked)))
    return Expectation(case(asked, facts), pick=Pick(int(spec["picked"]), slot,
                                                     tuple(candidates)))


def person_projects(person: Person, facts: Facts, asked: Asked) -> Expectation:
    """The person named in full with their projects (all of them when ten or fewer), and no
    project they have no part in."""
    projects = facts.person_projects(person)
    shown = [label(p) for p in projects] if len(projects) <= oracle.LIST_LIMIT else []
    return Expectation(case(asked, facts, expect=[person.full_name, *shown], allowed=projects))


# ------------------------------------------------------------------------------ people
def not_about(project: Project, fact: str, facts: Facts, asked: Asked) -> Expectation:
    """Someone who never named `project` asks a follow-up: nothing about it, so not its code
    anywhere and not the asked fact's people or dates in the first line."""
    own = oracle.fact_case(fact, project, facts, asked)
    health = set(oracle.HEALTH_WORDS[asked.language].values())
    said = [e for e in own.expect if e != f"({project.code})" and e not in health]
    if fact not in PERSON_FACTS and not any(ch.isdigit() for e in said for ch in e):
        raise ScriptError(f"not_about with {fact!r} names no person or date to reject")
    return Expectation(case(asked, facts, reject=[project.code]), reject_first_line=tuple(said))


def shared_names(facts: Facts) -> list[SharedName]:
    """Every first word that starts the names of two or three projects and is found in no
    other project's names, no person's, programme's or organisation's name and is no name a
    project goes by on its own; with the target and the words that pick it."""
    groups: dict[str, list[Project]] = {}
    for project in facts.projects:
        words = project.name.split()
        if words:
            groups.setdefault(fold(words[0]), []).append(project)
    entity_words = {w for name in facts.entity_names() for w in words_of(name)}
    found: list[SharedName] = []
    for key, projects in groups.items():
        if not 2 <= len(projects) <= 3 or len(key) < 4 or key in entity_words \
                or facts.name_counts[key]:
            continue
        if any(key in words_of(" ".join((p.name, p.short_name or "", *p.aliases)))
               for p in facts.projects if p not in projects):
            continue
        names = [p.name.split() for p in projects]
        common = 0
        while all(len(n) > common for n in names) and len({fold(n[common]) for n in names}) == 1:
            common += 1
        target = projects[-1]
        rest = target.name.split()[common:]
        if common and len(" ".join(rest)) < 4:
            rest = target.name.split()[common - 1:]
        text = " ".join(rest)
        if not rest or any(oracle_contains(p.name, text) for p in projects if p != target):
            continue
        found.append(SharedName(target.name.split()[0], tuple(projects), target, text))
    return found


def oracle_contains(name: str, words: str) -> bool:
    """`words` occur in `name` as whole words (folded)."""
    return f" {' '.join(words_of(words))} " in f" {' '.join(words_of(name))} "

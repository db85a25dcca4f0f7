"""The templated evaluation set: questions with slots, filled from the connected portfolio.

`data/question_templates.json` holds the templates (data only; the portfolio office adds
more without code; its "about" lists the format) and a glossary of topic words with their
English. A template has a kind, a language, a question with placeholders such as `{p}`,
`{p.short}`, `{who.first~lower}` or `{t.en}`, its slots ("p": "project has-report") and an
answer spec the oracle turns into expected facts.

`template_cases(records, today)` instantiates every template deterministically: the random
generator is seeded with the template's index, it shuffles each slot's candidates and takes
the first binding the oracle finds fair (`oracle.Unfit` otherwise). A template nothing fits
is skipped and reported as such.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from knowledge.answers import oracle
from knowledge.answers.evaluation import Case
from knowledge.answers.oracle import Asked, Facts, Month, Topic, Unfit
from knowledge.language.text import fold
from knowledge.portfolio.model import (
    Health,
    Organization,
    Person,
    Programme,
    ProgrammeStatus,
    Project,
)
from knowledge.portfolio.snapshot import PortfolioRecords

KINDS = ("combined", "fields", "topics", "english", "nynorsk", "overview", "first_names",
         "not_found")
LANGUAGES = ("nb", "nn", "en")
MODIFIERS = ("typo", "ascii", "plain", "lower")
# Per slot type: the predicates it understands and the attributes a placeholder may read.
SLOT_TYPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "project": (frozenset({"has-report", "reports>=2", "no-report", "has-description",
                           "in-programme", "has-short-name", "has-alias", "has-owner",
                           "has-manager"}), frozenset({"short", "code", "alias"})),
    "person": (frozenset({"owner", "manager", "lead", "involved", "author", "titled",
                          "shared-first-name", "unique-first-name"}),
               frozenset({"first", "last"})),
    "programme": (frozenset({"closed", "active", "has-projects", "has-short-name"}),
                  frozenset({"short"})),
    "organization": (frozenset({"has-projects", "has-short-name"}), frozenset({"short"})),
    "topic": (frozenset({"english", "compound"}), frozenset({"en", "compound"})),
    "year": (frozenset({"start", "end", "transfer"}), frozenset()),
    "month": (frozenset(), frozenset()),
    "cutoff": (frozenset(), frozenset()),
    "days": (frozenset(), frozenset()),
    "health": (frozenset(), frozenset({"word"})),
}
# Attributes that need a predicate to be there at all.
IMPLIED = {("project", "short"): "has-short-name", ("project", "alias"): "has-alias",
           ("programme", "short"): "has-short-name", ("organization", "short"): "has-short-name",
           ("topic", "en"): "english", ("topic", "compound"): "compound"}
PLACEHOLDER = re.compile(r"\{(\w+)(?:\.(\w+))?((?:~\w+)*)\}")
MAX_BINDINGS = 400
DAYS = (7, 14, 21, 30, 45, 60, 90)
MONTHS = {"nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
                 "september", "oktober", "november", "desember"),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December")}
MONTHS["nn"] = MONTHS["nb"]
HEALTH_PLURAL = {"nb": {Health.GREEN: "grønne", Health.YELLOW: "gule", Health.RED: "røde"},
                 "nn": {Health.GREEN: "grøne", Health.YELLOW: "gule", Health.RED: "raude"},
                 "en": {Health.GREEN: "green", Health.YELLOW: "yellow", Health.RED: "red"}}
ASCII = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "Ae", "Ø": "O", "Å": "A"})
PLAIN = str.maketrans({"æ": "a", "ø": "o", "å": "a", "Æ": "A", "Ø": "O", "Å": "A"})


class TemplateError(ValueError):
    """The template file does not follow the format its "about" describes."""


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    predicates: frozenset[str]


@dataclass(frozen=True)
class Template:
    index: int
    kind: str
    language: str
    text: str
    slots: tuple[Slot, ...]
    answer: Mapping[str, Any]
    allow_empty: bool = False
    tags: tuple[str, ...] = ()

    def modifiers(self) -> set[str]:
        return {m for match in PLACEHOLDER.finditer(self.text)
                for m in match.group(3).split("~") if m}


@dataclass(frozen=True)
class TemplateSet:
    templates: tuple[Template, ...]
    glossary: tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class TemplateRun:
    """The instantiated questions of one portfolio, and the templates nothing fitted."""

    cases: list[Case]
    skipped: list[str]


# ------------------------------------------------------------------------------ loading
def load_templates() -> TemplateSet:
    raw = resources.files("knowledge").joinpath("data/question_templates.json").read_text(
        "utf-8")
    return parse_templates(json.loads(raw))


def parse_templates(data: Mapping[str, Any]) -> TemplateSet:
    """The templates and glossary of the file's content; TemplateError says what is wrong."""
    glossary = tuple(data.get("topics", ()))
    for entry in glossary:
        if not isinstance(entry, dict) or not isinstance(entry.get("nb"), str) or not all(
                isinstance(v, str) for v in entry.values()):
            raise TemplateError(f"topic {entry!r}: needs 'nb' and string values only")
    return TemplateSet(tuple(_template(n, item) for n, item in enumerate(data["templates"])),
                       glossary)


def _template(index: int, item: Mapping[str, Any]) -> Template:
    def fail(why: str) -> TemplateError:
        return TemplateError(f"template #{index} {item.get('q')!r}: {why}")

    kind, language, text = item.get("kind"), item.get("lang"), item.get("q")
    if kind not in KINDS or language not in LANGUAGES or not isinstance(text, str):
        raise fail(f"kind must be one of {KINDS}, lang one of {LANGUAGES}, q a string")
    slots: list[Slot] = []
    for name, spec in dict(item.get("slots", {})).items():
        words = str(spec).split()
        if not words or words[0] not in SLOT_TYPES:
            raise fail(f"slot {name!r}: type must be one of {sorted(SLOT_TYPES)}")
        unknown = set(words[1:]) - SLOT_TYPES[words[0]][0]
        if unknown:
            raise fail(f"slot {name!r}: unknown predicate(s) {sorted(unknown)}")
        slots.append(Slot(name, words[0], frozenset(words[1:])))
    by_name = {slot.name: slot for slot in slots}
    for match in PLACEHOLDER.finditer(text):
        name, attribute, modifiers = match.group(1), match.group(2), match.group(3)
        if name not in by_name:
            raise fail(f"placeholder {match.group(0)} names no slot")
        slot = by_name[name]
        if attribute and attribute not in SLOT_TYPES[slot.type][1]:
            raise fail(f"a {slot.type} has no .{attribute}")
        if not set(filter(None, modifiers.split("~"))) <= set(MODIFIERS):
            raise fail(f"modifiers are {MODIFIERS}")
        implied = IMPLIED.get((slot.type, attribute or ""))
        if implied:
            by_name[name] = slot = dataclasses.replace(
                slot, predicates=slot.predicates | {implied})
    if re.search(r"[{}]", PLACEHOLDER.sub("", text)):
        raise fail("a brace that is no placeholder")
    answer = item.get("answer")
    if not isinstance(answer, dict) or not _answer_names_slots(answer, by_name):
        raise fail("answer must be one spec (list, fact, person, programme, summary, "
                   "first_name, not_found) naming declared slots")
    return Template(index, kind, language, text, tuple(by_name[s.name] for s in slots), answer,
                    bool(item.get("allow_empty", False)), tuple(item.get("tags", ())))


def _answer_names_slots(answer: Mapping[str, Any], slots: Mapping[str, Slot]) -> bool:
    keys = set(answer) - {"count", "project"}
    if len(keys) != 1:
        return False
    key = next(iter(keys))
    if key == "list" or key == "summary":
        values = [v for v in dict(answer[key]).values() if isinstance(v, str)]
        return all(v in slots or v in ("red", "yellow", "green") for v in values)
    if key == "fact":
        return answer.get("project") in slots
    if key in ("person", "programme", "first_name"):
        return answer[key] in slots
    return key == "not_found" and all(isinstance(n, str) for n in answer[key])


# ----------------------------------------------------------------------- instantiation
def template_cases(records: PortfolioRecords, today: date,
                   template_set: TemplateSet | None = None) -> TemplateRun:
    """Every template instantiated on `records`, asked on `today`."""
    templates = template_set or load_templates()
    facts = Facts(records, today)
    topics = facts.topics(templates.glossary)
    cases: list[Case] = []
    skipped: list[str] = []
    for template in templates.templates:
        try:
            cases.append(instantiate(template, facts, topics))
        except Unfit as why:
            skipped.append(f"#{template.index} [{template.kind} {template.language}] "
                           f"{template.text}: {why}")
    return TemplateRun(cases, skipped)


def instantiate(template: Template, facts: Facts, topics: Sequence[Topic]) -> Case:
    """The template's question about the first fair binding; Unfit when there is none."""
    rng = random.Random(template.index)
    pools = []
    for slot in template.slots:
        pool = candidates(slot, facts, topics)
        rng.shuffle(pool)
        pools.append(pool)
    asked = Asked(template.text, template.language, template.kind,
                  ("template", f"t{template.index}", *sorted(template.modifiers()),
                   *template.tags))
    why: Unfit | None = None
    for values in itertools.islice(itertools.product(*pools), MAX_BINDINGS):
        binding = {slot.name: value for slot, value in zip(template.slots, values, strict=True)}
        try:
            case = expected_case(template, binding, facts, asked)
        except Unfit as unfit:
            why = unfit
            continue
        return dataclasses.replace(case, question=render_question(template, binding, rng,
                                                                  facts))
    raise why or Unfit("no candidate for " + ", ".join(
        f"{slot.name} ({slot.type} {' '.join(sorted(slot.predicates))})".strip()
        for slot, pool in zip(template.slots, pools, strict=True) if not pool))


def expected_case(template: Template, binding: Mapping[str, Any], facts: Facts,
                  asked: Asked) -> Case:
    answer = template.answer
    if "list" in answer:
        return oracle.list_case(answer["list"], binding, facts, asked, template.allow_empty,
                                bool(answer.get("count")))
    if "summary" in answer:
        return oracle.summary_case(answer["summary"], binding, facts, asked)
    if "fact" in answer:
        subject = binding[answer["project"]]
        project = subject.project if isinstance(subject, Topic) else subject
        return oracle.fact_case(answer["fact"], project, facts, asked)
    if "person" in answer:
        return oracle.person_case(binding[answer["person"]], facts, asked)
    if "programme" in answer:
        return oracle.programme_case(binding[answer["programme"]], facts, asked)
    if "first_name" in answer:
        return oracle.first_name_case(first_name(binding[answer["first_name"]]), facts, asked)
    return oracle.not_found_case(answer["not_found"], facts, asked)


# --------------------------------------------------------------------------- candidates
def first_name(person: Person) -> str:
    return person.full_name.split()[0]


def candidates(slot: Slot, facts: Facts, topics: Sequence[Topic]) -> list[Any]:
    """The slot's values that satisfy its predicates, in a fixed order."""
    if slot.type == "project":       # asked by a name that no other project goes by
        return [p for p in facts.projects if facts.has_unique_name(p)
                and all(_project_has(p, n, facts) for n in slot.predicates)]
    if slot.type == "person":
        names = Counter(fold(p.full_name) for p in facts.persons.values())
        return [p for p in sorted(facts.persons.values(), key=lambda p: p.id)
                if names[fold(p.full_name)] == 1
                and all(_person_has(p, n, facts) for n in slot.predicates)]
    if slot.type == "programme":
        return [g for g in sorted(facts.programmes.values(), key=lambda g: g.id)
                if all(_programme_has(g, n, facts) for n in slot.predicates)]
    if slot.type == "organization":
        return [o for o in sorted(facts.organizations.values(), key=lambda o: o.id)
                if ("has-projects" not in slot.predicates
                    or any(p.organization_id == o.id for p in facts.projects))
                and ("has-short-name" not in slot.predicates or o.short_name)]
    if slot.type == "topic":
        return [t for t in topics if ("english" not in slot.predicates or t.en)
                and ("compound" not in slot.predicates or t.compound)]
    if slot.type == "year":
        return sorted(_years(slot.predicates or {"start", "end", "transfer"}, facts))
    if slot.type == "month":
        return sorted({Month(t.effective_date.year, t.effective_date.month)
                       for t in facts.transfers.values() if t.effective_date},
                      key=lambda m: (m.year, m.month))
    if slot.type == "cutoff":
        return [date(facts.today.year, month, 1) for month in range(1, 13)
                if date(facts.today.year, month, 1) < facts.today]
    if slot.type == "days":
        return list(DAYS)
    return list(Health)


def _years(sources: frozenset[str] | set[str], facts: Facts) -> set[int]:
    years: set[int] = set()
    for project in facts.projects:
        if "start" in sources and project.start_date:
            years.add(project.start_date.year)
        if "end" in sources and project.planned_end_date:
            years.add(project.planned_end_date.year)
    if "transfer" in sources:
        years.update(t.effective_date.year for t in facts.transfers.values() if t.effective_date)
    return years


def _project_has(project: Project, predicate: str, facts: Facts) -> bool:
    reports = len(facts.reports.get(project.id, ()))
    return {"has-report": reports >= 1, "reports>=2": reports >= 2, "no-report": reports == 0,
            "has-description": bool(project.description),
            "in-programme": project.programme_id in facts.programmes,
            "has-short-name": bool(project.short_name)
            and facts.name_counts[fold(project.short_name or "")] == 1,
            "has-alias": bool(facts.unique_aliases(project)),
            "has-owner": project.owner_id in facts.persons,
            "has-manager": project.manager_id in facts.persons}[predicate]


def _person_has(person: Person, predicate: str, facts: Facts) -> bool:
    if predicate in ("shared-first-name", "unique-first-name"):
        holders = facts.first_names[fold(first_name(person))]
        return (holders > 1) == (predicate == "shared-first-name")
    if predicate == "titled":
        return bool(person.title) and person.organization_id in facts.organizations
    return person.id in facts.roles[predicate]


def _programme_has(programme: Programme, predicate: str, facts: Facts) -> bool:
    return {"closed": programme.status is ProgrammeStatus.CLOSED,
            "active": programme.status is ProgrammeStatus.ACTIVE,
            "has-short-name": bool(programme.short_name),
            "has-projects": any(p.programme_id == programme.id for p in facts.projects)
            }[predicate]


# ----------------------------------------------------------------------------- rendering
def render_question(template: Template, binding: Mapping[str, Any], rng: random.Random,
                    facts: Facts) -> str:
    def fill(match: re.Match[str]) -> str:
        value = binding[match.group(1)]
        text = value_text(value, match.group(2) or "", template.language, rng, facts)
        for modifier in filter(None, match.group(3).split("~")):
            text = modify(text, modifier, rng)
        return text

    return PLACEHOLDER.sub(fill, template.text)


def value_text(value: Any, attribute: str, language: str, rng: random.Random,
               facts: Facts) -> str:
    if isinstance(value, Project):
        if attribute == "alias":
            return rng.choice(facts.unique_aliases(value))
        return {"short": value.short_name or value.name, "code": value.code}.get(
            attribute, value.name)
    if isinstance(value, Person):
        first, _, last = value.full_name.partition(" ")
        return {"first": first, "last": last}.get(attribute, value.full_name)
    if isinstance(value, Programme | Organization):
        return value.short_name if attribute == "short" and value.short_name else value.name
    if isinstance(value, Topic):
        return {"en": value.en, "compound": value.compound}.get(attribute) or value.nb
    if isinstance(value, Month):
        return f"{MONTHS[language][value.month - 1]} {value.year}"
    if isinstance(value, Health):
        return (oracle.HEALTH_WORDS if attribute == "word" else HEALTH_PLURAL)[language][value]
    if isinstance(value, date):
        month = MONTHS[language][value.month - 1]
        return f"{month} {value.day}" if language == "en" else f"{value.day}. {month}"
    return str(value)


def modify(text: str, modifier: str, rng: random.Random) -> str:
    if modifier == "lower":
        return text.lower()
    if modifier == "ascii":
        return text.translate(ASCII)
    if modifier == "plain":
        return text.translate(PLAIN)
    return typo(text, rng)


def typo(text: str, rng: random.Random) -> str:
    """One slip of the finger in the longest word of six letters or more: two letters
    swapped, one dropped or one doubled; never the first or last letter."""
    words = text.split(" ")
    long = [n for n, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long:
        return text
    n = max(long, key=lambda k: (len(words[k]), -k))
    word = words[n]
    at = rng.randrange(1, len(word) - 2)
    slip = rng.choice(("swap", "drop", "double"))
    if slip == "swap" and word[at] != word[at + 1]:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    elif slip == "double":
        word = word[:at] + word[at] + word[at:]
    else:
        word = word[:at] + word[at + 1:]
    words[n] = word
    return " ".join(words)


def iter_kinds(run: TemplateRun) -> Iterator[tuple[str, int]]:
    """How many questions each kind got, in KINDS order."""
    for kind in KINDS:
        yield kind, sum(1 for case in run.cases if case.kind == kind)

"""The templated evaluation set's oracle: what an answer must say, computed from the records.

Deliberately plain: a pass over `PortfolioRecords` per question, no index, no snapshot and
nothing of the bot's understanding, so the oracle and the bot cannot share a mistake. Its
wording is the answer contract only: project labels "Name (CODE)", totals "N prosjekter" /
"N prosjekt" / "N projects", dates dd.mm.yyyy (nb, nn) or yyyy-mm-dd (en), health words,
"<health>: <n>" in overviews, the programme's state word.

`expected_case` turns a template's answer spec and a binding of its slots into a `Case`. It
raises `Unfit` when the binding cannot make a fair question: the fact asked for is missing, a
date filter's boundary falls on a report, an organisation's sub-units have projects of their
own (so "projects at X" could mean either), a "not found" name is too close to a real one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from knowledge.answers.evaluation import Case
from knowledge.language.text import fold
from knowledge.portfolio.model import (
    Health,
    Organization,
    Person,
    Phase,
    Programme,
    ProgrammeStatus,
    Project,
    StatusReport,
    Transfer,
    TransferStatus,
)
from knowledge.portfolio.snapshot import PortfolioRecords

LIST_LIMIT = 10       # a list shows this many projects, then "… og N til"
HISTORY_LIMIT = 5     # a history shows at most the newest five reports
HEALTH_WORDS = {
    "nb": {Health.GREEN: "grønn", Health.YELLOW: "gul", Health.RED: "rød"},
    "nn": {Health.GREEN: "grøn", Health.YELLOW: "gul", Health.RED: "raud"},
    "en": {Health.GREEN: "green", Health.YELLOW: "yellow", Health.RED: "red"},
}
NO_REPORT = {"nb": "ingen rapport", "nn": "ingen rapport", "en": "no report"}
MORE = {"nb": "og {n} til", "nn": "og {n} til", "en": "and {n} more"}
PROGRAMME_STATE = {"nb": ("avsluttet", "aktivt"), "nn": ("avslutta", "aktivt"),
                   "en": ("closed", "active")}
NOT_SEVERAL = ("flere", "several")
NEAR_PREFIX = 6       # an invented word sharing this many first letters with a real one is near


class Unfit(Exception):
    """This binding of a template's slots cannot make a fair question."""


@dataclass(frozen=True)
class Topic:
    """A word people use for what a project is about, found in that project only."""

    nb: str
    en: str | None
    compound: str | None
    project: Project


@dataclass(frozen=True)
class Month:
    year: int
    month: int


def format_date(day: date, language: str) -> str:
    return day.isoformat() if language == "en" else day.strftime("%d.%m.%Y")


def words_of(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(text))


@dataclass
class Facts:
    """The records as plain look-ups, plus the day the questions are asked."""

    records: PortfolioRecords
    today: date
    projects: list[Project] = field(init=False)
    persons: dict[int, Person] = field(init=False)
    programmes: dict[int, Programme] = field(init=False)
    organizations: dict[int, Organization] = field(init=False)
    transfers: dict[int, Transfer] = field(init=False)
    reports: dict[int, list[StatusReport]] = field(init=False)
    members: dict[int, set[int]] = field(init=False)    # project id -> member person ids
    codes: frozenset[str] = field(init=False)
    _subtrees: dict[int, set[int]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        r = self.records
        self.projects = sorted(r.projects, key=lambda p: p.code)
        self.persons = {p.id: p for p in r.persons}
        self.programmes = {p.id: p for p in r.programmes}
        self.organizations = {o.id: o for o in r.organizations}
        self.transfers = {t.project_id: t for t in r.transfers}
        self.reports = defaultdict(list)
        for report in sorted(r.reports, key=lambda s: (s.reported_at, s.id)):
            self.reports[report.project_id].append(report)
        self.members = defaultdict(set)
        for member in r.members:
            self.members[member.project_id].add(member.person_id)
        self.codes = frozenset(fold(p.code) for p in r.projects)

    @cached_property
    def first_names(self) -> Counter[str]:
        """How many people hold each (folded) first name."""
        return Counter(words_of(p.full_name)[0] for p in self.persons.values()
                       if words_of(p.full_name))

    @cached_property
    def roles(self) -> dict[str, set[int]]:
        """The ids of the people who own, manage, are on or reported on some project."""
        owners = {p.owner_id for p in self.projects if p.owner_id is not None}
        managers = {p.manager_id for p in self.projects if p.manager_id is not None}
        members = {i for ids in self.members.values() for i in ids}
        return {"owner": owners, "manager": managers, "lead": owners | managers,
                "involved": owners | managers | members,
                "author": {r.author_id for r in self.records.reports if r.author_id is not None}}

    @cached_property
    def name_counts(self) -> Counter[str]:
        """How many projects go by each folded name, short name or alias."""
        return Counter(form for p in self.projects for form in {
            fold(name) for name in (p.name, p.short_name, *p.aliases) if name})

    def unique_aliases(self, project: Project) -> list[str]:
        """The project's aliases that name no other project: fair to ask by."""
        return [a for a in project.aliases if self.name_counts[fold(a)] == 1]

    def has_unique_name(self, project: Project) -> bool:
        return self.name_counts[fold(project.name)] == 1

    @cached_property
    def texts(self) -> dict[int, str]:
        return {p.id: self.project_text(p) for p in self.projects}

    @cached_property
    def project_words(self) -> set[str]:
        return {w for text in self.texts.values() for w in words_of(text)}

    @cached_property
    def known_words(self) -> set[str]:
        """Every word of four letters or more in the portfolio's names and project texts."""
        names = " ".join(self.entity_names())
        return {w for w in self.project_words | set(words_of(names)) if len(w) >= 4}

    def latest(self, project: Project) -> StatusReport | None:
        reports = self.reports.get(project.id)
        return reports[-1] if reports else None

    def age(self, report: StatusReport) -> int:
        return (self.today - report.reported_at.date()).days

    def person_projects(self, person: Person) -> list[Project]:
        return [p for p in self.projects if person.id in (p.owner_id, p.manager_id)
                or person.id in self.members.get(p.id, ())]

    def subtree(self, organization: Organization) -> set[int]:
        if organization.id in self._subtrees:
            return self._subtrees[organization.id]
        found = {organization.id}
        grew = True
        while grew:
            below = {o.id for o in self.organizations.values() if o.parent_id in found}
            grew = not below <= found
            found |= below
        self._subtrees[organization.id] = found
        return found

    def own_projects(self, organization: Organization) -> list[Project]:
        """The organisation's projects; Unfit when its sub-units have projects too."""
        direct = [p for p in self.projects if p.organization_id == organization.id]
        below = self.subtree(organization) - {organization.id}
        if any(p.organization_id in below for p in self.projects):
            raise Unfit(f"units under {organization.name} have projects of their own")
        return direct

    def project_text(self, project: Project) -> str:
        """What a project is about: its names, aliases, description and report summaries."""
        parts = [project.name, project.short_name or "", *project.aliases,
                 project.description or "", *(r.summary for r in self.reports.get(project.id, ()))]
        return fold(" ".join(parts))

    def entity_names(self) -> list[str]:
        """Every name of a person, programme and organisation, folded."""
        names = [p.full_name for p in self.persons.values()]
        for entity in self.programmes.values():
            names += [entity.name, entity.short_name or ""]
        for unit in self.organizations.values():
            names += [unit.name, unit.short_name or ""]
        return [fold(name) for name in names if name]

    def topics(self, glossary: Iterable[Mapping[str, str]]) -> list[Topic]:
        """Glossary words found (at a word's start) in exactly one project and in no name of
        a person, programme or organisation. An English word counts only when every glossary
        entry with that English word points at the same single project."""
        texts = [(p, self.texts[p.id]) for p in self.projects]
        names = " | ".join(self.entity_names())
        found: list[tuple[Mapping[str, str], set[int]]] = []
        for entry in glossary:
            stem = re.compile(rf"(?<![^\W_]){re.escape(fold(entry.get('stem') or entry['nb']))}")
            hits = {p.id for p, text in texts if stem.search(text)}
            found.append((entry, set() if stem.search(names) else hits))
        by_english: dict[str, set[int]] = defaultdict(set)
        for entry, hits in found:
            if entry.get("en"):
                by_english[entry["en"]] |= hits
        projects = {p.id: p for p in self.projects}
        return [Topic(entry["nb"], entry.get("en") if len(by_english[entry.get("en", "")]) == 1
                      else None, entry.get("compound"), projects[next(iter(hits))])
                for entry, hits in found if len(hits) == 1]


# ----------------------------------------------------------------------------- list filters
Filter = Callable[[Project], bool]


def _year(value: Any) -> int:
    if isinstance(value, Month) or not isinstance(value, int):
        raise Unfit(f"{value!r} is not a year")
    return value


def _person(value: Any) -> Person:
    if not isinstance(value, Person):
        raise Unfit(f"{value!r} is not a person")
    return value


def _healths(value: Any) -> set[Health]:
    if isinstance(value, Health):
        return {value}
    return {Health(value)} if isinstance(value, str) else {Health(v) for v in value}


def list_filter(name: str, value: Any, facts: Facts) -> Filter:
    """The test a project must pass for filter `name` with `value` (Unfit at a boundary)."""
    if name in ("owner", "manager", "lead", "involved"):
        person = _person(value)
        roles: dict[str, Filter] = {
            "owner": lambda p: p.owner_id == person.id,
            "manager": lambda p: p.manager_id == person.id,
            "lead": lambda p: person.id in (p.owner_id, p.manager_id),
            "involved": lambda p: person.id in (p.owner_id, p.manager_id)
            or person.id in facts.members.get(p.id, ())}
        return roles[name]
    if name == "health":
        healths = _healths(value)
        return lambda p: (latest := facts.latest(p)) is not None and latest.health in healths
    if name == "phase":
        phases = {Phase(value)} if isinstance(value, str) else {Phase(v) for v in value}
        return lambda p: p.phase in phases
    if name == "transfer":
        statuses = ({TransferStatus(value)} if isinstance(value, str)
                    else {TransferStatus(v) for v in value})
        return lambda p: p.id in facts.transfers and facts.transfers[p.id].status in statuses
    if name == "programme":
        if not isinstance(value, Programme):
            raise Unfit(f"{value!r} is not a programme")
        return lambda p: p.programme_id == value.id
    if name == "organization":
        if not isinstance(value, Organization):
            raise Unfit(f"{value!r} is not an organisation")
        own = {p.id for p in facts.own_projects(value)}
        return lambda p: p.id in own
    if name == "no_report":
        return lambda p: facts.latest(p) is None
    if name.startswith(("start_", "end_")):
        return _date_filter(name, _year(value))
    if name in ("transfer_year", "transfer_month"):
        return _transfer_filter(value, facts)
    if name == "not_reported_since":
        if not isinstance(value, date):
            raise Unfit(f"{value!r} is not a date")
        if any(r.reported_at.date() == value for r in facts.records.reports):
            raise Unfit(f"a report falls on {value}: before or after?")
        return lambda p: all(r.reported_at.date() < value for r in facts.reports.get(p.id, ()))
    if name in ("report_older_than_days", "reported_within_days"):
        return _age_filter(name, int(value), facts)
    raise ValueError(f"unknown list filter {name!r}")


def _date_filter(name: str, year: int) -> Filter:
    field_name, relation = name.split("_", 1)

    def when(p: Project) -> date | None:
        return p.start_date if field_name == "start" else p.planned_end_date

    tests: dict[str, Callable[[date], bool]] = {
        "year": lambda d: d.year == year, "before": lambda d: d.year < year,
        "after": lambda d: d.year > year}
    test = tests[relation]
    return lambda p: (day := when(p)) is not None and test(day)


def _transfer_filter(value: Any, facts: Facts) -> Filter:
    def matches(day: date) -> bool:
        if isinstance(value, Month):
            return (day.year, day.month) == (value.year, value.month)
        return day.year == _year(value)

    if any(t.effective_date and matches(t.effective_date)
           and t.status is not TransferStatus.TRANSFERRED for t in facts.transfers.values()):
        raise Unfit("a transfer not yet done has its date in this period: transferred or not?")

    def passes(p: Project) -> bool:
        transfer = facts.transfers.get(p.id)
        return (transfer is not None and transfer.status is TransferStatus.TRANSFERRED
                and transfer.effective_date is not None and matches(transfer.effective_date))
    return passes


def _age_filter(name: str, days: int, facts: Facts) -> Filter:
    ages = {p.id: facts.age(latest) for p in facts.projects if (latest := facts.latest(p))}
    if days in ages.values():
        raise Unfit(f"a latest report is exactly {days} days old")
    if name == "report_older_than_days":
        return lambda p: p.id in ages and ages[p.id] > days
    return lambda p: p.id in ages and ages[p.id] < days


# --------------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Asked:
    """A question as instantiated: its text, language, kind and tags."""

    question: str
    language: str
    kind: str
    tags: tuple[str, ...]


def _case(asked: Asked, facts: Facts, answer_type: str = "", *, expect: Iterable[str] = (),
          reject: Iterable[str] = (), one_of: Iterable[tuple[str, ...]] = (),
          first_line: Iterable[tuple[str, ...]] = (), total: int | None = None,
          allowed: Iterable[Project] | None = None) -> Case:
    return Case(asked.question, answer_type, asked.language, tuple(expect), tuple(reject),
                asked.tags, asked.kind, tuple(one_of), tuple(first_line), total, facts.codes,
                None if allowed is None else frozenset(fold(p.code) for p in allowed),
                whole_words=True)


def _names(entity: Programme | Organization) -> tuple[str, ...]:
    return tuple(name for name in (entity.name, entity.short_name) if name)


def label(project: Project) -> str:
    return f"{project.name} ({project.code})"


def list_case(spec: Mapping[str, Any], binding: Mapping[str, Any], facts: Facts, asked: Asked,
              allow_empty: bool, count_only: bool) -> Case:
    tests = [list_filter(name, binding.get(value, value) if isinstance(value, str) else value,
                         facts) for name, value in spec.items()]
    matching = [p for p in facts.projects if all(test(p) for test in tests)]
    if not matching and not allow_empty:
        raise Unfit("no project passes these filters")
    first_line: list[tuple[str, ...]] = []
    for value in spec.values():
        entity = binding.get(value) if isinstance(value, str) else None
        if isinstance(entity, Person):
            first_line.append((entity.full_name,))
        elif isinstance(entity, Programme | Organization):
            first_line.append(_names(entity))
    expect: list[str] = []
    if not count_only:
        expect = [label(p) for p in matching[:LIST_LIMIT]]
        if len(matching) > LIST_LIMIT:
            expect.append(MORE[asked.language].format(n=len(matching) - LIST_LIMIT))
    # "Which projects does X own?" may be answered as X's projects with that role.
    person_only = len(spec) == 1 and next(iter(spec)) in ("owner", "manager", "lead", "involved")
    kind = "ProjectList|PersonProjects" if person_only else "ProjectList"
    return _case(asked, facts, kind, expect=expect, first_line=first_line,
                 total=len(matching), allowed=matching)


def summary_case(scope: Mapping[str, Any], binding: Mapping[str, Any], facts: Facts,
                 asked: Asked) -> Case:
    projects = facts.projects
    for name, slot in scope.items():
        entity = binding[slot]
        if name == "programme" and isinstance(entity, Programme):
            projects = [p for p in projects if p.programme_id == entity.id]
        elif name == "organization" and isinstance(entity, Organization):
            projects = facts.own_projects(entity)
        else:
            raise ValueError(f"an overview cannot be scoped by {name!r}")
    if not projects:
        raise Unfit("nothing in this scope")
    language = asked.language
    counts = dict.fromkeys(Health, 0)
    red: list[Project] = []
    without = 0
    for project in projects:
        latest = facts.latest(project)
        if latest is None:
            without += 1
            continue
        counts[latest.health] += 1
        if latest.health is Health.RED:
            red.append(project)
    expect = [f"{HEALTH_WORDS[language][h]}: {n}" for h, n in counts.items() if n]
    if without:
        expect.append(f"{NO_REPORT[language]}: {without}")
    expect += [p.code for p in red[:LIST_LIMIT]]
    return _case(asked, facts, "PortfolioSummary", expect=expect, total=len(projects),
                 allowed=projects)


def fact_case(fact: str, project: Project, facts: Facts, asked: Asked) -> Case:
    language = asked.language
    people = facts.persons
    expect: list[str] = [f"({project.code})"]
    one_of: list[tuple[str, ...]] = []

    def need(value: Any, what: str) -> Any:
        if value is None or value == "":
            raise Unfit(f"{project.code} has no {what}")
        return value

    reports = facts.reports.get(project.id, [])
    latest = reports[-1] if reports else None
    transfer = facts.transfers.get(project.id)
    if fact in ("owner", "manager"):
        person_id = project.owner_id if fact == "owner" else project.manager_id
        expect.append(need(people.get(need(person_id, fact)), fact).full_name)
    elif fact == "responsible":
        one_of.append(need(tuple(people[i].full_name for i in (project.owner_id,
                                 project.manager_id) if i in people) or None, "owner or manager"))
    elif fact == "description":
        expect.append(need(project.description, "description"))
    elif fact == "programme":
        one_of.append(_names(need(facts.programmes.get(project.programme_id or -1),
                                  "programme")))
    elif fact in ("start", "planned_end"):
        day = project.start_date if fact == "start" else project.planned_end_date
        expect.append(format_date(need(day, fact.replace("_", " ")), language))
    elif fact in ("status", "latest_author", "latest_date"):
        report = need(latest, "status report")
        if fact in ("status", "latest_date"):
            expect.append(format_date(report.reported_at.date(), language))
        if fact == "status":
            expect.append(HEALTH_WORDS[language][report.health])
        if fact in ("status", "latest_author") and report.author_id in people:
            expect.append(people[report.author_id].full_name)
        elif fact == "latest_author":
            raise Unfit(f"the latest report of {project.code} names no author")
    elif fact in ("history", "previous"):
        if len(reports) < 2 or (fact == "previous" and len(reports) != 2):
            raise Unfit(f"{project.code} has {len(reports)} reports")
        expect += [format_date(r.reported_at.date(), language)
                   for r in reports[-HISTORY_LIMIT:]]
    elif fact in ("why_not_transferred", "transfer_note"):
        if fact == "why_not_transferred" and (
                transfer is None or transfer.status is not TransferStatus.NOT_TRANSFERRED):
            raise Unfit(f"{project.code} is not marked as not transferred")
        expect.append(need(transfer.note if transfer else None, "transfer note"))
    elif fact in ("transferred_on", "transfer_planned_on"):
        wanted = ((TransferStatus.TRANSFERRED,) if fact == "transferred_on"
                  else (TransferStatus.PLANNED, TransferStatus.IN_PROGRESS))
        if transfer is None or transfer.status not in wanted:
            raise Unfit(f"{project.code}'s transfer is not {fact}")
        expect.append(format_date(need(transfer.effective_date, "transfer date"), language))
    elif fact != "identify":
        raise ValueError(f"unknown fact {fact!r}")
    return _case(asked, facts, expect=expect, one_of=one_of, allowed=[project])


def person_case(person: Person, facts: Facts, asked: Asked) -> Case:
    organization = facts.organizations.get(person.organization_id or -1)
    if not person.title or organization is None:
        raise Unfit(f"{person.full_name} has no title or organisation")
    projects = facts.person_projects(person)
    return _case(asked, facts, "PersonProjects",
                 expect=[person.full_name, person.title, *(p.code for p in projects)],
                 one_of=[_names(organization)], allowed=projects)


def programme_case(programme: Programme, facts: Facts, asked: Asked) -> Case:
    closed, active = PROGRAMME_STATE[asked.language]
    expect = [active]
    if programme.status is ProgrammeStatus.CLOSED:
        expect = [closed, format_date(need_date(programme.closed_on, programme.name),
                                      asked.language)]
    projects = [p for p in facts.projects if p.programme_id == programme.id]
    return _case(asked, facts, expect=expect, one_of=[_names(programme)], allowed=projects)


def need_date(day: date | None, what: str) -> date:
    if day is None:
        raise Unfit(f"{what} has no date")
    return day


def first_name_case(first: str, facts: Facts, asked: Asked) -> Case:
    holders = [p for p in facts.persons.values() if words_of(p.full_name)[:1] == words_of(first)]
    if not holders:
        raise Unfit(f"nobody is called {first}")
    own = {fold(h.full_name) for h in holders}
    others = [text for text in facts.entity_names() if text not in own]
    if fold(first) in facts.project_words or any(fold(first) in words_of(text)
                                                 for text in others):
        raise Unfit(f"{first} is also another name or a word of a project")
    if len(holders) > 1:
        return _case(asked, facts, "Clarification", expect=[p.full_name for p in holders])
    return _case(asked, facts, expect=[holders[0].full_name],
                 allowed=facts.person_projects(holders[0]))


def not_found_case(invented: Iterable[str], facts: Facts, asked: Asked) -> Case:
    known = facts.known_words
    for name in invented:
        for word in (w for w in words_of(name) if len(w) >= 4):
            close = [k for k in known if k.startswith(word) or word.startswith(k)
                     or _common_prefix(k, word) >= NEAR_PREFIX]
            if close:
                raise Unfit(f"{word!r} is close to {close[0]!r} of this portfolio")
    return _case(asked, facts, "NotFound", reject=NOT_SEVERAL)


def _common_prefix(first: str, second: str) -> int:
    n = 0
    while n < min(len(first), len(second)) and first[n] == second[n]:
        n += 1
    return n

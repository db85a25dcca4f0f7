"""Example questions that name the connected portfolio's own projects, people and programmes.

The welcome, the help and the "did not understand" reply suggest questions to try. They are
made from the templates in `knowledge.answers.phrases.EXAMPLE_QUESTIONS` and the snapshot being
served, never from the demo's names, in the user's language, and each is one the bot answers
right: a candidate is kept only if answering it against the same snapshot gives the intended
kind of answer about the intended entity (`pick_examples`). A kind with no candidate that
passes is left out.

The choice is deterministic per snapshot: a seed made from a hash of the snapshot's names (each
project, person and programme with its id) orders each kind's candidates, so every turn sees
the same examples until a sync changes the data, and a restart picks the same ones again.
`ExampleBook` picks them once per snapshot and language and keeps them for the snapshot it was
asked about last (held weakly: an old snapshot is not kept alive for its examples).
"""

from __future__ import annotations

import hashlib
import random
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from knowledge.answers.answers import (
    Answer,
    Intent,
    Language,
    PersonProjects,
    ProjectList,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
)
from knowledge.answers.phrases import EXAMPLE_QUESTIONS
from knowledge.portfolio.model import Health
from knowledge.portfolio.snapshot import Snapshot

# Candidates tried per kind before it is left out: a name the answerer reads as another
# (a clarification, another project) is skipped, and trying costs one answer each.
MAX_TRIES = 12
# Longer names make questions that do not fit on a button (Teams cuts titles at 80).
MAX_NAME_CHARACTERS = 48

Answer_ = Callable[[str], Answer]
# What a kind's question must be answered with: (the answer, the entity's id, its name).
Fits = Callable[[Answer, int, str], bool]


@dataclass(frozen=True)
class Candidate:
    """An entity a question can name: its id and the name to write."""

    entity_id: int
    name: str


# A candidate of an entity `entity_id` of the snapshot, or None when it cannot be named.
Accept = Callable[[Snapshot, int], "Candidate | None"]


@dataclass(frozen=True)
class ExampleKind:
    """One example question: its template key, the slot it fills, which entities it may
    name (`table`: "projects", "persons", "programmes" or None for none; `accept`), and the
    answer that makes it right."""

    key: str
    slot: str | None
    table: str | None
    accept: Accept
    fits: Fits


def _fits_button(name: str) -> bool:
    return 0 < len(name) <= MAX_NAME_CHARACTERS


def _project(predicate: Callable[[Snapshot, int], bool]) -> Accept:
    def accept(snapshot: Snapshot, project_id: int) -> Candidate | None:
        project = snapshot.projects[project_id]
        if _fits_button(project.name) and predicate(snapshot, project_id):
            return Candidate(project_id, project.name)
        return None
    return accept


def _has_owner(snapshot: Snapshot, project_id: int) -> bool:
    owner = snapshot.projects[project_id].owner_id
    return owner is not None and owner in snapshot.persons


def _has_report(snapshot: Snapshot, project_id: int) -> bool:
    return snapshot.latest_report(project_id) is not None


def _has_transfer(snapshot: Snapshot, project_id: int) -> bool:
    return project_id in snapshot.transfers


def _person(snapshot: Snapshot, person_id: int) -> Candidate | None:
    person = snapshot.persons[person_id]
    if _fits_button(person.full_name) and snapshot.assignments.get(person_id):
        return Candidate(person_id, person.full_name)
    return None


def _programme(snapshot: Snapshot, programme_id: int) -> Candidate | None:
    programme = snapshot.programmes[programme_id]
    name = programme.short_name or programme.name
    if _fits_button(name) and snapshot.project_list(programme_id=programme_id):
        return Candidate(programme_id, name)
    return None


def _no_entity(snapshot: Snapshot, entity_id: int) -> Candidate | None:
    return Candidate(0, "")


def _about_project(answer: Answer, entity_id: int) -> bool:
    project = getattr(answer, "project", None)
    return getattr(project, "id", None) == entity_id


def _owner_fits(answer: Answer, entity_id: int, name: str) -> bool:
    return (isinstance(answer, ProjectPeople) and answer.focus is Intent.OWNER
            and _about_project(answer, entity_id))


def _status_fits(answer: Answer, entity_id: int, name: str) -> bool:
    return isinstance(answer, ProjectStatus) and _about_project(answer, entity_id)


def _transfer_fits(answer: Answer, entity_id: int, name: str) -> bool:
    return isinstance(answer, ProjectTransfer) and _about_project(answer, entity_id)


def _red_fits(answer: Answer, entity_id: int, name: str) -> bool:
    return (isinstance(answer, ProjectList) and not answer.count_only
            and answer.filters.health == frozenset({Health.RED})
            and not (answer.filters.phases or answer.filters.transfer
                     or answer.filters.programme or answer.filters.organization))


def _person_fits(answer: Answer, entity_id: int, name: str) -> bool:
    return (isinstance(answer, PersonProjects) and answer.person.name == name
            and answer.role_filter is None and bool(answer.assignments))


def _programme_fits(answer: Answer, entity_id: int, name: str) -> bool:
    filters = getattr(answer, "filters", None)
    return (isinstance(answer, ProjectList) and not answer.count_only and filters is not None
            and filters.programme is not None and name in filters.programme
            and bool(answer.items)
            and not (filters.health or filters.phases or filters.transfer
                     or filters.organization))


KINDS = (
    ExampleKind("owner", "project", "projects", _project(_has_owner), _owner_fits),
    ExampleKind("status", "project", "projects", _project(_has_report), _status_fits),
    ExampleKind("transfer", "project", "projects", _project(_has_transfer), _transfer_fits),
    ExampleKind("red", None, None, _no_entity, _red_fits),
    ExampleKind("person", "person", "persons", _person, _person_fits),
    ExampleKind("programme", "programme", "programmes", _programme, _programme_fits),
)


@dataclass(frozen=True)
class Example:
    """A question to suggest, with what it asks and about which entity (0: none)."""

    key: str
    question: str
    entity_id: int
    name: str


def snapshot_seed(snapshot: Snapshot) -> str:
    """A hash of the snapshot's projects, people and programmes (ids and names): the same for
    the same data, different when a sync adds, removes or renames one of them."""
    digest = hashlib.sha256()
    for kind, records in (("project", snapshot.projects), ("person", snapshot.persons),
                          ("programme", snapshot.programmes)):
        for entity_id in sorted(records):
            record = records[entity_id]
            name = getattr(record, "name", None) or getattr(record, "full_name", "")
            digest.update(f"{kind}\x1f{entity_id}\x1f{name}\x1e".encode())
    return digest.hexdigest()


def candidate_orders(snapshot: Snapshot, seed: str | None = None) -> dict[str, list[Candidate]]:
    """Per kind, the candidates to try in order: up to `MAX_TRIES`, drawn with the seed."""
    seed = seed if seed is not None else snapshot_seed(snapshot)
    ids: dict[str, list[int]] = {}
    orders: dict[str, list[Candidate]] = {}
    for kind in KINDS:
        if kind.table is None:
            orders[kind.key] = [c for c in (kind.accept(snapshot, 0),) if c is not None]
            continue
        if kind.table not in ids:
            ids[kind.table] = sorted(getattr(snapshot, kind.table))
        orders[kind.key] = _draw(snapshot, ids[kind.table], kind.accept,
                                 random.Random(f"{seed}:{kind.key}"))
    return orders


def _draw(snapshot: Snapshot, ids: Sequence[int], accept: Accept,
          rng: random.Random) -> list[Candidate]:
    """Up to `MAX_TRIES` accepted candidates of `ids` in the order `rng` draws them: a few
    random draws find them in a large portfolio without a pass over every entity; when they
    do not (few entities qualify), the rest are looked at in a seeded order."""
    picked: list[Candidate] = []
    seen: set[int] = set()
    for _ in range(min(len(ids), MAX_TRIES * 8)):
        entity_id = ids[rng.randrange(len(ids))]
        if entity_id in seen:
            continue
        seen.add(entity_id)
        candidate = accept(snapshot, entity_id)
        if candidate is not None:
            picked.append(candidate)
            if len(picked) == MAX_TRIES:
                return picked
    rest = [c for entity_id in ids if entity_id not in seen
            and (c := accept(snapshot, entity_id)) is not None]
    return picked + rng.sample(rest, min(len(rest), MAX_TRIES - len(picked)))


def pick_examples(snapshot: Snapshot, language: Language, answer: Answer_,
                  orders: dict[str, list[Candidate]] | None = None) -> tuple[Example, ...]:
    """One example question per kind (fewer when a kind has none that is answered right), in
    `language`, naming entities of `snapshot`, each checked by `answer` (the answerer against
    the same snapshot). The same snapshot content gives the same examples."""
    orders = orders if orders is not None else candidate_orders(snapshot)
    chosen: list[Example] = []
    used: set[tuple[str | None, int]] = set()
    for kind in KINDS:
        order = list(orders[kind.key])
        # An entity another example already names comes last: the examples show variety.
        order.sort(key=lambda candidate: (kind.slot, candidate.entity_id) in used)
        template = EXAMPLE_QUESTIONS[kind.key][language]
        for candidate in order:
            question = template.format(**{kind.slot: candidate.name} if kind.slot else {})
            reply = answer(question)
            if reply.language is language and kind.fits(reply, candidate.entity_id,
                                                        candidate.name):
                chosen.append(Example(kind.key, question, candidate.entity_id, candidate.name))
                used.add((kind.slot, candidate.entity_id))
                break
    return tuple(chosen)


@dataclass(frozen=True)
class ExampleNames:
    """Names the examples use, for other suggestions (a project code to try, subscription
    commands): each None when no example names one."""

    project: str | None = None
    project_code: str | None = None
    programme: str | None = None


PROJECT_KEYS = frozenset({"owner", "status", "transfer"})


def example_names(snapshot: Snapshot, examples: Sequence[Example]) -> ExampleNames:
    project = next((snapshot.projects.get(e.entity_id) for e in examples
                    if e.key in PROJECT_KEYS), None)
    programme = next((e.name for e in examples if e.key == "programme"), None)
    return ExampleNames(project.name if project else None, project.code if project else None,
                        programme)


class ExampleBook:
    """The examples of the snapshot asked about last, per language, picked on first use."""

    def __init__(self) -> None:
        self._snapshot: weakref.ref[Snapshot] | None = None
        self._orders: dict[str, list[Candidate]] = {}
        self._examples: dict[Language, tuple[Example, ...]] = {}

    def examples(self, snapshot: Snapshot, language: Language,
                 answer: Answer_) -> tuple[Example, ...]:
        if self._snapshot is None or self._snapshot() is not snapshot:
            self._snapshot, self._orders = weakref.ref(snapshot), candidate_orders(snapshot)
            self._examples = {}
        found = self._examples.get(language)
        if found is None:
            found = self._examples[language] = pick_examples(snapshot, language, answer,
                                                             self._orders)
        return found

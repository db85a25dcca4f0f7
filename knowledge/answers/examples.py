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


@dataclass(frozen=True)
class ExampleKind:
    """One example question: its template key, the slot it fills, whom it may name, and the
    answer that makes it right."""

    key: str
    slot: str | None
    candidates: Callable[[Snapshot], Sequence[Candidate]]
    fits: Fits


def _projects(predicate: Callable[[Snapshot, int], bool]) -> Callable[[Snapshot],
                                                                        list[Candidate]]:
    def candidates(snapshot: Snapshot) -> list[Candidate]:
        return [Candidate(project.id, project.name)
                for project in sorted(snapshot.projects.values(), key=lambda p: p.id)
                if len(project.name) <= MAX_NAME_CHARACTERS and predicate(snapshot, project.id)]
    return candidates


def _has_owner(snapshot: Snapshot, project_id: int) -> bool:
    owner = snapshot.projects[project_id].owner_id
    return owner is not None and owner in snapshot.persons


def _has_report(snapshot: Snapshot, project_id: int) -> bool:
    return snapshot.latest_report(project_id) is not None


def _has_transfer(snapshot: Snapshot, project_id: int) -> bool:
    return project_id in snapshot.transfers


def _persons(snapshot: Snapshot) -> list[Candidate]:
    return [Candidate(person.id, person.full_name)
            for person in sorted(snapshot.persons.values(), key=lambda p: p.id)
            if snapshot.assignments.get(person.id)
            and len(person.full_name) <= MAX_NAME_CHARACTERS]


def _programmes(snapshot: Snapshot) -> list[Candidate]:
    used = {project.programme_id for project in snapshot.projects.values()}
    return [Candidate(programme.id, programme.short_name or programme.name)
            for programme in sorted(snapshot.programmes.values(), key=lambda p: p.id)
            if programme.id in used
            and len(programme.short_name or programme.name) <= MAX_NAME_CHARACTERS]


def _no_entity(snapshot: Snapshot) -> list[Candidate]:
    return [Candidate(0, "")]


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
    ExampleKind("owner", "project", _projects(_has_owner), _owner_fits),
    ExampleKind("status", "project", _projects(_has_report), _status_fits),
    ExampleKind("transfer", "project", _projects(_has_transfer), _transfer_fits),
    ExampleKind("red", None, _no_entity, _red_fits),
    ExampleKind("person", "person", _persons, _person_fits),
    ExampleKind("programme", "programme", _programmes, _programme_fits),
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
    orders: dict[str, list[Candidate]] = {}
    for kind in KINDS:
        pool = list(kind.candidates(snapshot))
        orders[kind.key] = random.Random(f"{seed}:{kind.key}").sample(
            pool, min(len(pool), MAX_TRIES))
    return orders


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

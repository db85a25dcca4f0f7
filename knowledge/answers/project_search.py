"""Projects for a search box: what the compose box's message extension lists as people type.

`search_projects` finds projects the way a question names them (the same name index, the
lexicon, first names, topics), best first: projects by their own names, then the projects of
a person or programme the text names, then projects by what they are about. An empty text
lists the caller's own projects (owner or manager), then the most recently changed ones.
"""

from __future__ import annotations

import heapq

from knowledge.answers.name_resolution import resolve
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Filters
from knowledge.language.text import tokens
from knowledge.language.understanding import MAX_QUESTION_CHARACTERS, understand
from knowledge.language.vocabulary import STOPWORDS
from knowledge.portfolio.model import Role
from knowledge.portfolio.snapshot import Snapshot

MAX_RESULTS = 25


def search_projects(snapshot: Snapshot, text: str, caller_aad: str | None = None,
                    limit: int = MAX_RESULTS) -> tuple[int, ...]:
    """Up to `limit` project ids for `text`, best first (see the module docstring)."""
    text = text[:MAX_QUESTION_CHARACTERS].strip()
    found: dict[int, None] = {}
    if not text:
        found.update(dict.fromkeys(_own_projects(snapshot, caller_aad)))
        found.update(dict.fromkeys(_recently_changed(snapshot, limit)))
        return tuple(found)[:limit]
    question = understand(text)
    resolution = resolve(snapshot, question)
    for match in resolution.matches.get(EntityKind.PROJECT, ()):
        found[match.entity_id] = None
    for kind in (EntityKind.PERSON, EntityKind.PROGRAMME, EntityKind.ORGANIZATION):
        best = resolution.best(kind)
        if best is not None and len(found) < limit:
            found.update(dict.fromkeys(_projects_of(snapshot, kind, best.entity_id)))
    words = [w for w in tokens(text) if w not in STOPWORDS and len(w) > 2]
    if words and len(found) < limit:
        found.update(dict.fromkeys(hit.project_id for hit in snapshot.topics.find(words, limit)))
    return tuple(i for i in found if i in snapshot.projects)[:limit]


def _own_projects(snapshot: Snapshot, caller_aad: str | None) -> list[int]:
    person = snapshot.persons_by_aad.get(caller_aad.lower()) if caller_aad else None
    if person is None:
        return []
    return [a.project_id for a in snapshot.assignments.get(person.id, ())
            if a.role in (Role.OWNER, Role.MANAGER)]


def _recently_changed(snapshot: Snapshot, limit: int) -> list[int]:
    """The projects with the newest status reports, then the newest project rows."""
    def changed(project_id: int) -> tuple[str, str]:
        report = snapshot.latest_report(project_id)
        project = snapshot.projects[project_id]
        return (report.reported_at.isoformat() if report else "",
                project.updated_at.isoformat())
    return heapq.nlargest(limit, snapshot.projects, key=changed)   # not a sort of them all


def _projects_of(snapshot: Snapshot, kind: EntityKind, entity_id: int) -> list[int]:
    if kind is EntityKind.PERSON:
        order = {Role.OWNER: 0, Role.MANAGER: 1, Role.MEMBER: 2}
        return [a.project_id for a in sorted(snapshot.assignments.get(entity_id, ()),
                                             key=lambda a: order[a.role])]
    if kind is EntityKind.PROGRAMME:
        return [item.project.id for item in snapshot.select(Filters(programme_id=entity_id))]
    return [item.project.id for item in snapshot.select(Filters(organization_id=entity_id))]

"""From a question to a typed answer, against one snapshot.

The answerer finds the names a question mentions (`NameIndex`), settles what is asked from the
cue words that the name itself did not use up, and builds the answer. Two or more names that
fit about equally well give a `Clarification`; a name that fits nothing well gives `NotFound`
with the nearest names. It never answers about an entity the question did not point to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from knowledge.answers.answers import (
    Answer,
    Candidate,
    Clarification,
    FaqAnswer,
    Followup,
    Greeting,
    Help,
    Intent,
    Language,
    ListFilters,
    MemberView,
    NotFound,
    NotUnderstood,
    PersonAssignment,
    PersonProjects,
    PersonView,
    ProjectList,
    ProjectOverview,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
    ProjectView,
    ReportView,
    Thanks,
    TransferFocus,
    TransferView,
)
from knowledge.answers.examples import Example, ExampleBook, ExampleNames, example_names
from knowledge.language.faq_index import FaqMatch
from knowledge.language.name_index import EntityKind, NameMatch
from knowledge.language.understanding import Question, understand
from knowledge.language.vocabulary import GLOSSARY, STOPWORDS
from knowledge.portfolio.model import Person, Project, Role
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.status_rules import STALE_AFTER_DAYS

ACCEPT_NAME_COVERAGE = 0.5        # enough of the name was said …
FULLY_EXPLAINED = 0.9             # … or the name explains all the question's words
ALONE_NAME_COVERAGE = 0.3         # … though never on less of the name than this
CONSIDER_NAME_COVERAGE = 0.15     # below this a name is not even offered as a candidate
ACCEPT_QUERY_COVERAGE = 0.25
CLARIFY_QUERY_MARGIN = 0.16
CLARIFY_SCORE_MARGIN = 0.35
MAX_CANDIDATES = 5
FAQ_SURE = 88.0
CUE_WEIGHT = 0.15            # a cue word's share in query coverage, relative to its idf
CUE_ABSOLUTE = 0.15          # … and of a cue word the index does not know at all
UNKNOWN_ABSOLUTE = 0.5       # a word that matches no name: filler more often than not
PROJECT_INTENTS = frozenset(
    {Intent.OWNER, Intent.MANAGER, Intent.PEOPLE, Intent.STATUS, Intent.TRANSFER, Intent.OVERVIEW}
)
KIND_ORDER = (EntityKind.PROJECT, EntityKind.PERSON, EntityKind.PROGRAMME, EntityKind.ORGANIZATION)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Resolution:
    """The names a question mentions, per kind: accepted matches, best first."""

    matches: dict[EntityKind, list[NameMatch]]
    mention: str
    unknown_names: tuple[str, ...] = ()   # capitalised words that match nothing: a name?
    unknown_words: tuple[str, ...] = ()   # every content word that matches nothing
    spans: tuple[tuple[int, ...], ...] = ()   # question token positions of each matched word

    def best(self, kind: EntityKind) -> NameMatch | None:
        found = self.matches.get(kind)
        if not found:
            return None
        top = found[0]
        if top.name_coverage >= ACCEPT_NAME_COVERAGE or (
                top.query_coverage >= FULLY_EXPLAINED
                and top.name_coverage >= ALONE_NAME_COVERAGE):
            return top
        return None

    def ambiguous(self, kind: EntityKind) -> list[NameMatch]:
        found = self.matches.get(kind, [])
        if len(found) < 2 or self.best(kind) is None:
            return []
        top = found[0]
        close = [
            m for m in found
            if m.query_coverage >= top.query_coverage - CLARIFY_QUERY_MARGIN
            and m.score >= top.score - CLARIFY_SCORE_MARGIN
        ]
        return close if len(close) > 1 else []


@dataclass(frozen=True)
class ProjectResolution:
    """Which project a mention names: one (`project_id`), several to pick from, or none.

    Exactly one of these holds: `project_id` is set; `candidates` (two or more) lists the
    projects that fit about equally well; or neither, with `suggestions` of the nearest
    project names (possibly none).
    """

    mention: str
    project_id: int | None = None
    candidates: tuple[Candidate, ...] = ()
    suggestions: tuple[Candidate, ...] = ()

    @property
    def found(self) -> bool:
        return self.project_id is not None

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates)


class Answerer:
    """Answers questions against the snapshot that `snapshot()` returns at call time."""

    def __init__(self, snapshot: Callable[[], Snapshot | None], clock: Clock | None = None,
                 stale_after_days: int = STALE_AFTER_DAYS) -> None:
        self._snapshot = snapshot
        self._clock = clock or (lambda: datetime.now(UTC))
        self._stale_after_days = stale_after_days
        self._examples = ExampleBook()

    # ----------------------------------------------------------------- entry points
    def answer(self, text: str) -> Answer:
        question = understand(text)
        snapshot = self._snapshot()
        if snapshot is None:
            return NotUnderstood(question.language)
        return _Turn(snapshot, question, self._clock(), self._stale_after_days,
                     examples=self._examples_of(snapshot)).answer()

    def examples(self, language: Language) -> tuple[str, ...]:
        """Example questions to suggest in `language`: about the current snapshot's own
        projects, people and programmes, each answered right (`knowledge.answers.examples`);
        none before the first snapshot."""
        snapshot = self._snapshot()
        return () if snapshot is None else self._examples_of(snapshot)(language)

    def example_entities(self, language: Language) -> tuple[Example, ...]:
        """The examples with what each asks and about which entity (for tests and tools)."""
        snapshot = self._snapshot()
        if snapshot is None:
            return ()
        return self._examples.examples(snapshot, language, self._checker(snapshot))

    def example_names(self, language: Language) -> ExampleNames:
        """A project (name and code) and a programme the examples name, for other
        suggestions; empty before the first snapshot."""
        snapshot = self._snapshot()
        if snapshot is None:
            return ExampleNames()
        return example_names(snapshot, self.example_entities(language))

    def _examples_of(self, snapshot: Snapshot) -> Callable[[Language], tuple[str, ...]]:
        def questions(language: Language) -> tuple[str, ...]:
            return tuple(example.question for example in self._examples.examples(
                snapshot, language, self._checker(snapshot)))
        return questions

    def _checker(self, snapshot: Snapshot) -> Callable[[str], Answer]:
        """Answers a candidate example against `snapshot` (its own help shows no examples)."""
        def check(text: str) -> Answer:
            return _Turn(snapshot, understand(text), self._clock(),
                         self._stale_after_days).answer()
        return check

    def answer_followup(self, followup: Followup) -> Answer:
        """The answer for a candidate the user picked from a clarification."""
        snapshot = self._snapshot()
        language = followup.language
        if snapshot is None:
            return NotUnderstood(language)
        turn = _Turn(snapshot, understand(""), self._clock(), self._stale_after_days, language,
                     examples=self._examples_of(snapshot))
        return turn.about(followup.kind, followup.entity_id, followup.intent,
                          followup.transfer_focus)

    def resolve_project(self, mention: str) -> ProjectResolution:
        """The project `mention` names, the same way a question's project is found."""
        snapshot = self._snapshot()
        if snapshot is None:
            return ProjectResolution(mention.strip())
        turn = _Turn(snapshot, understand(mention), self._clock(), self._stale_after_days)
        resolution = turn.resolve()
        close = resolution.ambiguous(EntityKind.PROJECT)
        if close:
            return ProjectResolution(mention.strip(), candidates=tuple(
                turn._candidate(m.kind, m.entity_id) for m in close[:MAX_CANDIDATES]))
        best = resolution.best(EntityKind.PROJECT)
        if best is not None:
            return ProjectResolution(mention.strip(), project_id=best.entity_id)
        forms = snapshot.names.suggestions(mention, frozenset({EntityKind.PROJECT}))
        return ProjectResolution(mention.strip(), suggestions=tuple(
            turn._candidate(f.kind, f.entity_id) for f in forms))


class _Turn:
    """One question against one snapshot."""

    def __init__(self, snapshot: Snapshot, question: Question, now: datetime,
                 stale_after_days: int, language: Language | None = None, *,
                 examples: Callable[[Language], tuple[str, ...]] | None = None) -> None:
        self.s = snapshot
        self.q = question
        self.now = now
        self.stale_after_days = stale_after_days
        self.language = language or question.language
        self._examples = examples

    def examples(self) -> tuple[str, ...]:
        """The example questions to suggest, picked for this snapshot on first use."""
        return self._examples(self.language) if self._examples is not None else ()

    # ----------------------------------------------------------------- deciding
    def answer(self) -> Answer:
        q = self.q
        if not q.tokens:
            return Help(self.language, self.examples())
        if q.only_thanks:
            return Thanks(self.language)
        if q.only_greeting:
            return Greeting(self.language, self.examples())
        faq = self.s.faq_index.best(self._faq_tokens())
        if faq is not None and faq.question_similarity >= FAQ_SURE:
            return self._faq(faq)
        resolution = self.resolve()
        used = self._used_positions(resolution)
        intents = q.cue_intents(excluding=used) & PROJECT_INTENTS
        project = resolution.best(EntityKind.PROJECT)
        person = resolution.best(EntityKind.PERSON)
        scoped = any(resolution.best(k) is not None
                     for k in (EntityKind.PROGRAMME, EntityKind.ORGANIZATION))
        if q.help_cue and project is None and person is None:
            return Help(self.language, self.examples())
        wants_list = q.count_cue or (q.list_cue and q.plural_projects) or (
            q.has_filters and (q.list_cue or q.plural_projects))
        if wants_list and not (project and project.name_coverage >= 0.99 and not q.count_cue):
            if person is not None and not q.has_filters and _beats(person, resolution):
                return self._person_or_clarify(resolution, q.role_filter(used))
            if not q.has_filters and project is None:
                if faq is not None and faq.likely and (not scoped or faq.sure):
                    return self._faq(faq)
                if not scoped and resolution.unknown_names:
                    return self._not_found(resolution)
            return self._list(resolution)
        if project is not None and (intents or not _beaten(project, resolution)):
            if not intents and q.asks_who:
                intents = {Intent.PEOPLE}
            return self._project_or_clarify(resolution, intents)
        if person is not None:
            return self._person_or_clarify(resolution, q.role_filter(used))
        if faq is not None and (faq.sure or (faq.likely and not intents)):
            return self._faq(faq)
        if intents and resolution.unknown_words:
            return self._not_found(resolution)   # "er robotkirurgi overført?": not a project
        if scoped:
            return self._list(resolution)
        if q.has_filters and (q.list_cue or q.plural_projects or q.count_cue):
            return self._list(resolution)
        if q.help_cue:
            return Help(self.language, self.examples())
        if intents or resolution.unknown_names or q.plural_projects:
            return self._not_found(resolution)
        return NotUnderstood(self.language, self.examples())

    def _faq(self, faq: FaqMatch) -> FaqAnswer:
        return FaqAnswer(self.language, faq.entry.question, faq.entry.answer)

    def _faq_tokens(self) -> tuple[str, ...]:
        return tuple(GLOSSARY.get(t, t) if not self.s.names.knows(t) else t for t in self.q.tokens)

    # ----------------------------------------------------------------- names
    def _words(self) -> tuple[list[str], list[tuple[int, ...]]]:
        """The question's name-bearing words (glossary applied), with their token positions.

        Two neighbours that together make a known word are joined: `telekom plattform` is
        the name word `telekomplattform`, not two loose words.
        """
        q, names = self.q, self.s.names
        positions = [i for i, t in enumerate(q.tokens) if t not in STOPWORDS]

        def mapped(token: str) -> str:
            return GLOSSARY[token] if not names.knows(token) and token in GLOSSARY else token

        words: list[str] = []
        spans: list[tuple[int, ...]] = []
        index = 0
        while index < len(positions):
            here = positions[index]
            if index + 1 < len(positions) and positions[index + 1] == here + 1:
                joined = mapped(q.tokens[here]) + mapped(q.tokens[here + 1])
                if names.knows(joined):
                    words.append(joined)
                    spans.append((here, here + 1))
                    index += 2
                    continue
            words.append(mapped(q.tokens[here]))
            spans.append((here,))
            index += 1
        return words, spans

    def resolve(self) -> Resolution:
        q, names = self.q, self.s.names
        words, spans = self._words()
        unknown_idf = names.idf("\x00")
        weights: list[float] = []
        unknown_names: list[str] = []
        unknown_words: list[str] = []
        for word, span in zip(words, spans, strict=True):
            is_cue = any(i in q.cues or i in q.filter_positions for i in span)
            known = bool(names.similar_tokens(word))
            if known:
                weights.append(CUE_WEIGHT if is_cue else 1.0)
                continue
            weights.append((CUE_ABSOLUTE if is_cue else UNKNOWN_ABSOLUTE) / unknown_idf)
            shown = q.shown[span[0]]
            if not is_cue:
                unknown_words.append(shown)
                if span[0] > 0 and shown[:1].isupper():
                    unknown_names.append(shown)
        for email in q.emails:
            local = email.split("@", 1)[0].replace(".", " ").split()
            words.extend(local)
            weights.extend([1.0] * len(local))
            spans.extend([()] * len(local))
        mention = " ".join(
            " ".join(q.shown[i] for i in span) for span in spans
            if span and not any(i in q.cues or i in q.filter_positions for i in span)
        )
        if not words:
            return Resolution({}, mention, tuple(unknown_names), tuple(unknown_words),
                              tuple(spans))
        found = self.s.names.search(words, weights=weights, limit=40)
        by_kind: dict[EntityKind, list[NameMatch]] = {}
        for match in found:
            if (match.name_coverage >= CONSIDER_NAME_COVERAGE
                    and match.query_coverage >= ACCEPT_QUERY_COVERAGE
                    and any(weights[p] >= 1.0 for p in match.matched_positions)):
                by_kind.setdefault(match.kind, []).append(match)
        return Resolution(by_kind, mention, tuple(unknown_names), tuple(unknown_words),
                          tuple(spans))

    def _used_positions(self, resolution: Resolution) -> frozenset[int]:
        """Token positions that the best name used up: its words are not cue words."""
        spans = resolution.spans
        for kind in KIND_ORDER:
            best = resolution.best(kind)
            if best is not None and best.name_coverage >= 0.99:
                return frozenset(i for p in best.matched_positions if p < len(spans)
                                 for i in spans[p])
        return frozenset()

    # ----------------------------------------------------------------- projects
    def _project_or_clarify(self, resolution: Resolution, intents: set[Intent]) -> Answer:
        intent = _project_intent(intents)
        close = resolution.ambiguous(EntityKind.PROJECT)
        if close:
            return self._clarify(resolution.mention, close, intent)
        best = resolution.best(EntityKind.PROJECT)
        assert best is not None
        return self.about(EntityKind.PROJECT, best.entity_id, intent, self.q.transfer_focus)

    def about(self, kind: EntityKind, entity_id: int, intent: Intent,
              focus: TransferFocus = TransferFocus.STATUS) -> Answer:
        """The answer about one known entity; NotFound when it has left the portfolio."""
        if kind is EntityKind.PROJECT and entity_id in self.s.projects:
            return self._project_answer(self.s.projects[entity_id], intent, focus)
        if kind is EntityKind.PERSON and entity_id in self.s.persons:
            role = {Intent.OWNER: Role.OWNER, Intent.MANAGER: Role.MANAGER}.get(intent)
            return self._person_projects(self.s.persons[entity_id], role)
        return NotFound(self.language, "", ())

    def _project_answer(self, project: Project, intent: Intent, focus: TransferFocus) -> Answer:
        view = self._project_view(project)
        if intent in (Intent.OWNER, Intent.MANAGER, Intent.PEOPLE):
            return ProjectPeople(self.language, view, intent, self._person(project.owner_id),
                                 self._person(project.manager_id), self._members(project))
        if intent is Intent.STATUS:
            return ProjectStatus(self.language, view, self._report(project.id),
                                 self.stale_after_days)
        if intent is Intent.TRANSFER:
            return ProjectTransfer(self.language, view, self._transfer(project.id), focus)
        programme = self.s.programmes.get(project.programme_id or -1)
        organization = self.s.organizations.get(project.organization_id or -1)
        return ProjectOverview(
            self.language, view, project.description, project.phase,
            _programme_label(programme.name, programme.short_name) if programme else None,
            organization.name if organization else None,
            project.start_date, project.planned_end_date,
            self._person(project.owner_id), self._person(project.manager_id),
            self._members(project), self._report(project.id), self._transfer(project.id),
        )

    # ----------------------------------------------------------------- people
    def _person_or_clarify(self, resolution: Resolution, role: Role | None) -> Answer:
        intent = {Role.OWNER: Intent.OWNER, Role.MANAGER: Intent.MANAGER}.get(
            role, Intent.PERSON_PROJECTS) if role else Intent.PERSON_PROJECTS
        close = resolution.ambiguous(EntityKind.PERSON)
        if close:
            return self._clarify(resolution.mention, close, intent)
        best = resolution.best(EntityKind.PERSON)
        assert best is not None
        return self._person_projects(self.s.persons[best.entity_id], role)

    def _person_projects(self, person: Person, role: Role | None) -> PersonProjects:
        assignments = [
            PersonAssignment(self._project_view(self.s.projects[a.project_id]), a.role,
                             a.member_role, self.s.projects[a.project_id].phase)
            for a in self.s.assignments.get(person.id, ())
            if a.project_id in self.s.projects and (role is None or a.role is role)
        ]
        order = {Role.OWNER: 0, Role.MANAGER: 1, Role.MEMBER: 2}
        assignments.sort(key=lambda a: (order[a.role], a.project.name))
        view = self._person(person.id)
        assert view is not None
        return PersonProjects(self.language, view, tuple(assignments), role)

    # ----------------------------------------------------------------- lists
    def _list(self, resolution: Resolution) -> ProjectList:
        q = self.q
        programme = resolution.best(EntityKind.PROGRAMME)
        organization = resolution.best(EntityKind.ORGANIZATION)
        programme_record = self.s.programmes.get(programme.entity_id) if programme else None
        organization_record = (self.s.organizations.get(organization.entity_id)
                               if organization else None)
        subtree = (self.s.organization_subtree(organization_record.id)
                   if organization_record else frozenset())
        items = self.s.project_list(
            health=q.health, phases=q.phases, transfer_statuses=q.transfer_statuses,
            programme_id=programme_record.id if programme_record else None,
            organizations=subtree if organization_record and not q.transfer_statuses else None,
            transfer_organizations=subtree if organization_record and q.transfer_statuses
            else None,
        )
        filters = ListFilters(
            q.health, q.phases, q.transfer_statuses,
            _programme_label(programme_record.name, programme_record.short_name)
            if programme_record else None,
            organization_record.name if organization_record else None,
        )
        return ProjectList(self.language, filters, items, q.count_cue, len(items))

    # ----------------------------------------------------------------- clarify / not found
    def _clarify(self, mention: str, matches: list[NameMatch], intent: Intent) -> Clarification:
        chosen = matches[:MAX_CANDIDATES]
        candidates = tuple(self._candidate(m.kind, m.entity_id) for m in chosen)
        followups = tuple(
            Followup(intent, m.kind, m.entity_id, self.language, self.q.transfer_focus)
            for m in chosen
        )
        return Clarification(self.language, mention, candidates, followups)

    def _not_found(self, resolution: Resolution) -> Answer:
        mention = resolution.mention
        if not mention:
            return NotUnderstood(self.language, self.examples())
        intents = self.q.cue_intents() & PROJECT_INTENTS
        kinds = frozenset({EntityKind.PROJECT, EntityKind.PERSON})
        forms = self.s.names.suggestions(mention, kinds)
        suggestions = tuple(self._candidate(f.kind, f.entity_id) for f in forms)
        followups = tuple(
            Followup(_project_intent(intents) if f.kind is EntityKind.PROJECT
                     else Intent.PERSON_PROJECTS, f.kind, f.entity_id, self.language,
                     self.q.transfer_focus)
            for f in forms
        )
        return NotFound(self.language, mention, suggestions, followups)

    def _candidate(self, kind: EntityKind, entity_id: int) -> Candidate:
        if kind is EntityKind.PROJECT:
            project = self.s.projects[entity_id]
            return Candidate(kind, entity_id, project.name, project.code)
        if kind is EntityKind.PERSON:
            person = self.s.persons[entity_id]
            return Candidate(kind, entity_id, person.full_name, person.title)
        if kind is EntityKind.PROGRAMME:
            programme = self.s.programmes[entity_id]
            return Candidate(kind, entity_id, programme.name, programme.short_name)
        organization = self.s.organizations[entity_id]
        return Candidate(kind, entity_id, organization.name, organization.short_name)

    # ----------------------------------------------------------------- views
    def _project_view(self, project: Project) -> ProjectView:
        return ProjectView(project.id, project.code, project.name, project.short_name)

    def _person(self, person_id: int | None) -> PersonView | None:
        person = self.s.persons.get(person_id) if person_id is not None else None
        if person is None:
            return None
        organization = self.s.organizations.get(person.organization_id or -1)
        return PersonView(person.full_name, person.title, person.email,
                          organization.name if organization else None)

    def _members(self, project: Project) -> tuple[MemberView, ...]:
        views: list[MemberView] = []
        for member in self.s.members.get(project.id, ()):
            person = self._person(member.person_id)
            if person is not None:
                views.append(MemberView(person, Role.MEMBER, member.role))
        return tuple(views)

    def _report(self, project_id: int) -> ReportView | None:
        report = self.s.latest_report(project_id)
        if report is None:
            return None
        age = max(0, (self.now - report.reported_at).days)
        return ReportView(report.health, report.summary, report.reported_at,
                          self._person(report.author_id), age, report.source)

    def _transfer(self, project_id: int) -> TransferView | None:
        transfer = self.s.transfers.get(project_id)
        if transfer is None:
            return None
        def name(organization_id: int | None) -> str | None:
            organization = self.s.organizations.get(organization_id or -1)
            return organization.name if organization else None
        return TransferView(transfer.status, name(transfer.from_organization_id),
                            name(transfer.to_organization_id), transfer.effective_date,
                            transfer.note)


def _project_intent(intents: set[Intent]) -> Intent:
    if Intent.TRANSFER in intents:
        return Intent.TRANSFER
    people = intents & {Intent.OWNER, Intent.MANAGER, Intent.PEOPLE}
    if len(people) == 1:
        return people.pop()
    if people:
        return Intent.PEOPLE
    if Intent.STATUS in intents:
        return Intent.STATUS
    return Intent.OVERVIEW


def _programme_label(name: str, short_name: str | None) -> str:
    return f"{short_name} ({name})" if short_name else name


def _beats(match: NameMatch, resolution: Resolution) -> bool:
    """`match` is at least as good as the best match of any other kind."""
    return all(
        other is None or other.kind is match.kind or match.score >= other.score
        for other in (resolution.best(kind) for kind in KIND_ORDER)
    )


def _beaten(match: NameMatch, resolution: Resolution) -> bool:
    """Another kind's best match is clearly better (e.g. a person's full name)."""
    return not all(
        other is None or other.kind is match.kind or match.score >= other.score - 0.1
        for other in (resolution.best(kind) for kind in KIND_ORDER)
    )

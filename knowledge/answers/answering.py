"""From a question to a typed answer, against one snapshot.

A question is read (`understanding`), its names found (`name_resolution`), made into one
typed query by the grammar (`query_reading`) and run (`query_running`). Small talk, help
and the FAQ are settled around that. Two or more names that fit about equally well give a
`Clarification`; a name that fits nothing gives `NotFound` with the nearest names. It never
answers about an entity the question did not point to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
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
    NotFound,
    NotUnderstood,
    ProjectList,
    ProjectOverview,
    Thanks,
    TransferFocus,
    WhichSubject,
)
from knowledge.answers.conversation import Choices, Memory
from knowledge.answers.examples import Example, ExampleBook, ExampleNames, example_names
from knowledge.answers.follow_ups import (
    language_marked,
    might_follow_up,
    points_back,
    read_follow_up,
)
from knowledge.answers.name_resolution import (
    MAX_CANDIDATES,
    Resolution,
    resolve,
    used_positions,
)
from knowledge.answers.project_search import MAX_RESULTS, search_projects
from knowledge.answers.query_reading import (
    FACT_INTENTS,
    MAX_CHOICES,
    Choose,
    Grammar,
    Missing,
    Reading,
)
from knowledge.answers.query_running import QueryRunner
from knowledge.answers.views import Views
from knowledge.language.faq_index import FaqMatch
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Ask, Query
from knowledge.language.understanding import Question, detect_language, understand
from knowledge.language.vocabulary import GLOSSARY
from knowledge.portfolio.snapshot import Snapshot
from knowledge.portfolio.status_rules import STALE_AFTER_DAYS

FAQ_SURE = 88.0

Clock = Callable[[], datetime]


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


@dataclass(frozen=True)
class Exchange:
    """One answer, what to remember after it, and whether the question could have been a
    follow-up (then a caller that did not pass the person's memory should, and ask again)."""

    answer: Answer
    memory: Memory | None
    could_follow_up: bool

    def changed(self, before: Memory | None) -> bool:
        return self.memory is not before


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
        return self.answer_with(text, None).answer

    def answer_with(self, text: str, memory: Memory | None) -> Exchange:
        """The answer to `text` read against what was last answered the same person
        (`memory`; None: nothing, or not looked up), and what to remember after it."""
        now = self._clock()
        question = understand(text, now.date())
        snapshot = self._snapshot()
        if snapshot is None:
            return Exchange(NotUnderstood(question.language), memory, False)
        if memory is not None and memory.expired(now):
            memory = None
        turn = _Turn(snapshot, question, now, self._stale_after_days, memory=memory,
                     examples=self._examples_of(snapshot))
        answer = turn.answer()
        return Exchange(answer, turn.remembered, turn.could_follow_up)

    def search(self, text: str, caller_aad: str | None, language: Language,
               limit: int = MAX_RESULTS) -> tuple[ProjectOverview, ...]:
        """The projects a search box lists for `text` (`knowledge.answers.project_search`),
        each as its overview; the caller's own projects, then recent ones, for no text."""
        snapshot = self._snapshot()
        if snapshot is None:
            return ()
        runner = QueryRunner(snapshot, self._clock(), language, self._stale_after_days)
        answers = (runner.project_answer(snapshot.projects[i], Intent.OVERVIEW,
                                         TransferFocus.STATUS)
                   for i in search_projects(snapshot, text, caller_aad, limit))
        return tuple(a for a in answers if isinstance(a, ProjectOverview))

    def about_code(self, code: str, intent: Intent, language: Language) -> Answer | None:
        """The answer about the project with `code` (its card, refreshed); None when no
        project has that code (any more)."""
        snapshot = self._snapshot()
        project_id = snapshot.codes.get(code.strip().casefold()) if snapshot else None
        return None if project_id is None else self.about_project(project_id, intent, language)

    def about_project(self, project_id: int, intent: Intent,
                      language: Language) -> Answer | None:
        """The answer about one project by id; None when it is not in the portfolio."""
        snapshot = self._snapshot()
        project = snapshot.projects.get(project_id) if snapshot else None
        if snapshot is None or project is None:
            return None
        runner = QueryRunner(snapshot, self._clock(), language, self._stale_after_days)
        return runner.project_answer(project, intent, TransferFocus.STATUS)

    def remember_pick(self, followup: Followup) -> Memory:
        """What to remember after a clarification's button was pressed: that answer's subject."""
        return Memory(Query(Ask.FACT, followup.intent, followup.kind, followup.entity_id),
                      followup.language, self._clock())

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
            now = self._clock()
            return _Turn(snapshot, understand(text, now.date()), now,
                         self._stale_after_days).answer()
        return check

    def answer_followup(self, followup: Followup) -> Answer:
        """The answer for a candidate the user picked from a clarification."""
        snapshot = self._snapshot()
        language = followup.language
        if snapshot is None:
            return NotUnderstood(language)
        runner = QueryRunner(snapshot, self._clock(), language, self._stale_after_days)
        return runner.about(followup.kind, followup.entity_id, followup.intent,
                            followup.transfer_focus)

    def resolve_project(self, mention: str) -> ProjectResolution:
        """The project `mention` names, the same way a question's project is found."""
        snapshot = self._snapshot()
        if snapshot is None:
            return ProjectResolution(mention.strip())
        views = Views(snapshot, self._clock())
        resolution = resolve(snapshot, understand(mention))
        close = resolution.ambiguous(EntityKind.PROJECT)
        if close:
            return ProjectResolution(mention.strip(), candidates=tuple(
                views.candidate(m.kind, m.entity_id) for m in close[:MAX_CANDIDATES]))
        best = resolution.best(EntityKind.PROJECT)
        if best is not None:
            return ProjectResolution(mention.strip(), project_id=best.entity_id)
        forms = snapshot.names.suggestions(mention, frozenset({EntityKind.PROJECT}))
        return ProjectResolution(mention.strip(), suggestions=tuple(
            views.candidate(f.kind, f.entity_id) for f in forms))


class _Turn:
    """One question against one snapshot."""

    def __init__(self, snapshot: Snapshot, question: Question, now: datetime,
                 stale_after_days: int, *, memory: Memory | None = None,
                 examples: Callable[[Language], tuple[str, ...]] | None = None) -> None:
        self.s = snapshot
        self.q = question
        self.now = now
        self.memory = memory
        self.remembered = memory          # what to remember after this turn
        self.could_follow_up = False
        self.language = question.language
        self.views = Views(snapshot, now)
        self.runner = QueryRunner(snapshot, now, self.language, stale_after_days)
        self._examples = examples

    def examples(self) -> tuple[str, ...]:
        """The example questions to suggest, picked for this snapshot on first use."""
        return self._examples(self.language) if self._examples is not None else ()

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
        resolution = resolve(self.s, q)
        named = any(resolution.best(k) is not None
                    for k in (EntityKind.PROJECT, EntityKind.PERSON))
        if q.help_cue and not named:
            return Help(self.language, self.examples())
        self.q = q = self._language_without_names(q, resolution)
        self.language = self.runner.language = q.language
        grammar = Grammar(self.s, q, resolution)
        reading = grammar.read()
        self.could_follow_up = might_follow_up(q, reading)
        follow = read_follow_up(q, reading, self.memory, grammar.asked_fact(),
                                grammar.own_filters(), grammar.names_something())
        asks = q.cue_intents() & FACT_INTENTS
        listed = isinstance(reading, Query) and reading.ask in (Ask.LIST, Ask.COUNT) and (
            q.plural_projects)
        if follow is not None:
            reading = follow
            if self.memory is not None and not language_marked(q):
                # "more", "og status?", "2": in the language the conversation is in.
                self.language = self.runner.language = self.memory.language
        elif reading is None and self.could_follow_up and points_back(q):
            # "og hvem leder det?" with nothing said before (or by someone else): ask which.
            return WhichSubject(self.language, self.examples())
        elif faq is not None and not listed and not _decisive(reading) and (
                faq.sure or (faq.likely and not asks)):
            return self._faq(faq)
        if isinstance(reading, Query):
            answer = self.runner.run(reading, q.transfer_focus)
            self.remembered = Memory(reading, self.language, self.now, _shown(answer))
            return answer
        if isinstance(reading, Choose):
            self.remembered = Memory(self.memory.query if self.memory else None,
                                     self.language, self.now, self.memory.shown
                                     if self.memory else 0,
                                     Choices(reading.kind, reading.ids[:MAX_CHOICES],
                                             reading.intent))
            return self._clarify(reading)
        if isinstance(reading, Missing):
            return self._not_found(reading.mention)
        if faq is not None and faq.keyword_hit:   # a keyword the portfolio office gave it
            return self._faq(faq)
        if q.help_cue:
            return Help(self.language, self.examples())
        if resolution.unknown_names or q.plural_projects:
            return self._not_found(resolution.mention)
        return NotUnderstood(self.language, self.examples())

    def _language_without_names(self, q: Question, resolution: Resolution) -> Question:
        """`q` in English when its words other than the names it mentions are English:
        "Is Program for standardisering og IKT-infrastrukturmodernisering closed?"."""
        if q.language is not Language.NB:
            return q
        named = set(used_positions(resolution, every_kind=True))
        for kind in EntityKind:   # a name's words and the small words between them
            best = resolution.best(kind)
            if best is not None:
                at = [i for p in best.matched_positions if p < len(resolution.spans)
                      for i in resolution.spans[p]]
                named.update(range(min(at), max(at) + 1) if at else ())
        rest = tuple(w for i, w in enumerate(q.tokens) if i not in named)
        shown = " ".join(w for i, w in enumerate(q.shown) if i not in named)
        if rest and detect_language(shown, rest) is Language.EN:
            return replace(q, language=Language.EN)
        return q

    def _faq(self, faq: FaqMatch) -> FaqAnswer:
        return FaqAnswer(self.language, faq.entry.question, faq.entry.answer)

    def _faq_tokens(self) -> tuple[str, ...]:
        return tuple(GLOSSARY.get(t, t) if not self.s.names.knows(t) else t for t in self.q.tokens)

    def _clarify(self, choose: Choose) -> Clarification:
        shown = choose.ids[:MAX_CHOICES]
        candidates = tuple(self.views.candidate(choose.kind, i) for i in shown)
        followups = tuple(Followup(choose.intent, choose.kind, i, self.language,
                                   self.q.transfer_focus) for i in shown)
        return Clarification(self.language, choose.mention, candidates, followups)

    def _not_found(self, mention: str) -> Answer:
        if not mention:
            return NotUnderstood(self.language, self.examples())
        kinds = frozenset({EntityKind.PROJECT, EntityKind.PERSON})
        forms = self.s.names.suggestions(mention, kinds)
        suggestions = tuple(self.views.candidate(f.kind, f.entity_id) for f in forms)
        followups = tuple(
            Followup(Intent.OVERVIEW if f.kind is EntityKind.PROJECT
                     else Intent.PERSON_PROJECTS, f.kind, f.entity_id, self.language,
                     self.q.transfer_focus)
            for f in forms)
        return NotFound(self.language, mention, suggestions, followups)


def _shown(answer: Answer) -> int:
    """How many of a list's projects the answer has shown, counting those shown before."""
    if isinstance(answer, ProjectList) and not answer.count_only:
        return answer.first + len(answer.shown)
    return 0


def _decisive(reading: Reading) -> bool:
    """The question surely asks the portfolio, not the FAQ: about a named project or person,
    a choice between names, an overview, or a list by a condition on the projects."""
    if isinstance(reading, Choose):
        return True
    if not isinstance(reading, Query):
        return False
    if reading.ask is Ask.FACT:
        return reading.subject_kind is not None and not reading.by_topic
    if reading.ask is Ask.SUMMARY:
        return True
    f = reading.filters
    return bool(f.health or f.phases or f.transfer or f.dates or f.no_report or f.people)

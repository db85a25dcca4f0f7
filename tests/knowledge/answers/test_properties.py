"""Property tests: no text breaks the understanding layer, no answer breaks a renderer.

Hypothesis feeds arbitrary Unicode (surrogates excluded, as JSON from Teams cannot carry them
unpaired) mixed with the characters that trip text code up: NUL, right-to-left marks and
overrides, zero-width joiners and spaces, combining marks, emoji sequences, a byte-order
mark, and strings far longer than any question. For every such text the answerer, the
status-update and subscription parsers, project and subscription-target resolution return
one of their typed results and never raise; for every typed answer (the answerer's, and
answers built field by field from the same hostile text) the plain-text renderer and the
Adaptive Card presenter return text and a card whose user-supplied strings are inert.

The profile is deterministic and database-free (`derandomize=True`, `database=None`), so
CI runs the same examples every time, in a few seconds.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cards.answer_cards import (
    CARD_CONTENT_TYPE,
    CardPresenter,
    inert,
    refresh_view,
    reply_activity,
)
from knowledge.answers.answering import Answerer, ProjectResolution
from knowledge.answers.answers import (
    Answer,
    Candidate,
    Clarification,
    DateCondition,
    FaqAnswer,
    Followup,
    Greeting,
    Help,
    Intent,
    Language,
    LedProjectView,
    ListFilters,
    MemberView,
    MyProjects,
    NotFound,
    NothingToUndo,
    NotUnderstood,
    PersonAssignment,
    PersonProjects,
    PersonView,
    PortfolioSummary,
    ProgrammeFact,
    ProjectFact,
    ProjectList,
    ProjectListItem,
    ProjectOverview,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
    ProjectView,
    ReportView,
    StatusInvalid,
    StatusPosted,
    StatusRefused,
    StatusWithdrawn,
    SubscriptionChanged,
    SubscriptionHelp,
    SubscriptionItem,
    SubscriptionList,
    Tally,
    Thanks,
    TransferFocus,
    TransferView,
    WhichSubject,
)
from knowledge.answers.plain_text import render
from knowledge.commands.status_updates import StatusUpdateDraft, parse_status_update, validate_draft
from knowledge.commands.subscription_commands import (
    SubscriptionCommand,
    Target,
    parse_subscription_command,
    resolve_target,
)
from knowledge.language.name_index import EntityKind
from knowledge.language.understanding import Question, understand
from knowledge.portfolio.model import Health, Phase, Role, TransferStatus
from knowledge.portfolio.snapshot import Snapshot

TODAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

#: Deterministic, no example database, and quick: each property runs in about a second.
PROFILE = settings(derandomize=True, database=None, max_examples=400,
                   deadline=timedelta(milliseconds=1500), print_blob=False,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TRICKY = (
    "\x00", "\u200f", "\u200e", "\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200c",
    "\u200d", "\ufeff", "\u0301", "\u0308", "\u0338", "\u20e3", "👩\u200d👩\u200d👧", "🇳🇴",
    "🚀", "ﷺ", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "\u05e2\u05d1\u05e8\u05d9\u05ea",
    "\U0010ffff", "\ufffd", "\r\n", "\t", "\x7f", "\x1b[31m", "İ", "ß", "ﬁ", "Å", "A\u030a",
    "øæå", "ØÆÅ", "**", "_", "[x](http://e.org)", "<at>bot</at>", "'; DROP TABLE project;--",
    '{"type": "AdaptiveCard"}', "status", "abonner", "subscribe", ":", " – ", "grønn", "red",
)
BASE_CHARACTERS = st.characters(exclude_categories=["Cs"])
#: Arbitrary text (no lone surrogates) with the tricky pieces mixed in.
TEXTS = st.lists(st.one_of(st.text(BASE_CHARACTERS, max_size=12), st.sampled_from(TRICKY)),
                 max_size=12).map("".join)
#: Much longer than any question: repeated pieces, up to about 100,000 characters.
LONG_TEXTS = st.builds(lambda piece, times: piece * times,
                       st.one_of(st.sampled_from(TRICKY), st.text(BASE_CHARACTERS, min_size=1,
                                                                  max_size=8)),
                       st.integers(min_value=250, max_value=12_000))
ANY_TEXT = st.one_of(TEXTS, TEXTS, TEXTS, LONG_TEXTS)
#: Messages that look like commands, so the parsers get past their first word.
COMMAND_LIKE = st.builds(
    lambda head, middle, tail: head + middle + tail,
    st.sampled_from(("status ", "status update for ", "statusoppdatering ", "oppdater status ",
                     "abonner ", "subscribe to ", "avslutt abonnement ", "unsubscribe ",
                     "vis abonnementer", "")),
    TEXTS, st.sampled_from(("", ": grønn – ok", ": red - late", " kun status", " only transfers",
                            ": gul", ":\x00grønn\u200f–\u0301x")))


@pytest.fixture(scope="module")
def answerer(sqlite_demo_snapshot: Snapshot) -> Answerer:
    return Answerer(lambda: sqlite_demo_snapshot, clock=lambda: TODAY)


def check_rendering(answer: Answer, *, says_something: bool = True) -> None:
    """Plain text and card both render; the card is JSON with exactly the bot's own card."""
    text = render(answer)
    assert isinstance(text, str)
    assert text.strip() or not says_something
    activity = reply_activity(answer)
    assert activity.text is None and activity.summary == text   # the card only is shown
    [attachment] = activity.attachments
    assert attachment.content_type == CARD_CONTENT_TYPE
    card = attachment.content
    # Cards about one project stay current (Universal Actions, 1.5); the others are 1.4.
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == ("1.5" if refresh_view(answer) is not None else "1.4")
    assert ("refresh" in card) is (refresh_view(answer) is not None)
    json.dumps(card, ensure_ascii=False)   # serialisable as the connector will get it
    assert card["fallbackText"] == text
    assert CardPresenter().answer(answer).summary == text


# ----------------------------------------------------------------- understanding and answers
@PROFILE
@given(ANY_TEXT)
def test_understanding_reads_any_text(text: str) -> None:
    question = understand(text)
    assert isinstance(question, Question)
    assert isinstance(question.language, Language)
    assert "\x00" not in question.text
    assert len(question.shown) == len(question.tokens)


@PROFILE
@given(st.one_of(ANY_TEXT, COMMAND_LIKE))
def test_any_text_gets_a_typed_answer_that_renders(answerer: Answerer, text: str) -> None:
    answer = answerer.answer(text)
    assert isinstance(answer, Answer) and type(answer) is not Answer
    assert isinstance(answer.language, Language)
    check_rendering(answer)


@PROFILE
@given(st.one_of(ANY_TEXT, COMMAND_LIKE))
def test_status_update_parser_never_raises(text: str) -> None:
    draft = parse_status_update(text)
    assert draft is None or isinstance(draft, StatusUpdateDraft)
    if draft is not None:
        assert draft.project_mention.strip() and draft.health is not None
        assert draft.summary in text, "the summary is the user's text, only trimmed"
        assert all(isinstance(problem, str) for problem in validate_draft(draft))


@PROFILE
@given(st.one_of(ANY_TEXT, COMMAND_LIKE))
def test_subscription_parser_and_resolution_never_raise(
        answerer: Answerer, sqlite_demo_snapshot: Snapshot, text: str) -> None:
    command = parse_subscription_command(text)
    assert command is None or isinstance(command, SubscriptionCommand)
    if command is not None and command.mention:
        target = resolve_target(answerer, sqlite_demo_snapshot, command.mention,
                                language=command.language, kinds=command.kinds,
                                action=command.action)
        assert isinstance(target, Target | Clarification | NotFound)
        if not isinstance(target, Target):
            check_rendering(target)


@PROFILE
@given(st.one_of(ANY_TEXT, COMMAND_LIKE))
def test_project_resolution_never_raises(answerer: Answerer, text: str) -> None:
    resolution = answerer.resolve_project(text)
    assert isinstance(resolution, ProjectResolution)
    assert sum((resolution.found, resolution.ambiguous)) <= 1


def test_long_and_hostile_texts_are_answered_quickly(answerer: Answerer) -> None:
    """The worst cases by hand: 100 KB, all NUL, all combining marks, all RTL overrides."""
    for text in ("x" * 100_000, "\x00" * 100_000, "a" + "\u0301" * 50_000,
                 "\u202e" * 30_000 + "status DHO", "hvem eier " * 10_000, "🚀" * 40_000):
        check_rendering(answerer.answer(text))


# ----------------------------------------------------------------- arbitrary typed answers
LANGUAGES = st.sampled_from(Language)
SHORT = st.one_of(TEXTS, st.sampled_from(TRICKY))
OPTIONAL = st.none() | SHORT
MOMENTS = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                       timezones=st.just(UTC))
DATES = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1))
COUNTS = st.integers(min_value=0, max_value=100_000)
PEOPLE = st.builds(PersonView, SHORT, OPTIONAL, OPTIONAL, OPTIONAL)
PROJECTS = st.builds(ProjectView, COUNTS, SHORT, SHORT, OPTIONAL)
REPORTS = st.builds(ReportView, st.sampled_from(Health), SHORT, MOMENTS, st.none() | PEOPLE,
                    COUNTS, st.sampled_from(("portfolio", "chat")))
TRANSFERS = st.builds(TransferView, st.sampled_from(TransferStatus), OPTIONAL, OPTIONAL,
                      st.none() | DATES, OPTIONAL)
MEMBERS = st.builds(MemberView, PEOPLE, st.sampled_from(Role), OPTIONAL)
FOLLOWUPS = st.builds(Followup, st.sampled_from(Intent), st.sampled_from(EntityKind), COUNTS,
                      LANGUAGES, st.sampled_from(TransferFocus))
CANDIDATES = st.builds(Candidate, st.sampled_from(EntityKind), COUNTS, SHORT, OPTIONAL)
KIND_NAMES = st.lists(st.sampled_from(("status", "transfer", "phase", "people")), max_size=4,
                      unique=True).map(tuple)
SMALL = st.lists
DATE_CONDITIONS = st.builds(DateCondition, st.sampled_from(("start", "planned_end", "transfer",
                                                            "report")),
                            st.none() | DATES, st.none() | DATES, st.booleans())
FILTERS = st.builds(
    ListFilters, st.frozensets(st.sampled_from(Health)), st.frozensets(st.sampled_from(Phase)),
    st.frozensets(st.sampled_from(TransferStatus)), OPTIONAL, OPTIONAL, OPTIONAL, OPTIONAL,
    OPTIONAL, SMALL(DATE_CONDITIONS, max_size=2).map(tuple), st.booleans(),
    SMALL(SHORT, max_size=2).map(tuple))
LIST_ITEMS = st.builds(ProjectListItem, PROJECTS, st.sampled_from(Phase),
                       st.none() | st.sampled_from(Health),
                       st.none() | st.sampled_from(TransferStatus))
ANSWERS: st.SearchStrategy[Answer] = st.one_of(
    st.builds(Greeting, LANGUAGES), st.builds(Thanks, LANGUAGES),
    st.builds(Help, LANGUAGES, SMALL(SHORT, max_size=3).map(tuple)),
    st.builds(NotUnderstood, LANGUAGES, SMALL(SHORT, max_size=3).map(tuple)),
    st.builds(WhichSubject, LANGUAGES, SMALL(SHORT, max_size=3).map(tuple)),
    st.builds(NotFound, LANGUAGES, SHORT, SMALL(CANDIDATES, max_size=3).map(tuple),
              SMALL(FOLLOWUPS, max_size=3).map(tuple)),
    st.builds(Clarification, LANGUAGES, SHORT, SMALL(CANDIDATES, max_size=5).map(tuple),
              SMALL(FOLLOWUPS, max_size=5).map(tuple),
              SMALL(st.dictionaries(SHORT, SHORT, max_size=3), max_size=2).map(tuple)),
    st.builds(ProjectPeople, LANGUAGES, PROJECTS,
              st.sampled_from((Intent.OWNER, Intent.MANAGER, Intent.PEOPLE)),
              st.none() | PEOPLE, st.none() | PEOPLE, SMALL(MEMBERS, max_size=4).map(tuple)),
    st.builds(ProjectStatus, LANGUAGES, PROJECTS, st.none() | REPORTS, COUNTS),
    st.builds(ProjectTransfer, LANGUAGES, PROJECTS, st.none() | TRANSFERS,
              st.sampled_from(TransferFocus), OPTIONAL),
    st.builds(ProjectOverview, LANGUAGES, PROJECTS, OPTIONAL, st.sampled_from(Phase), OPTIONAL,
              OPTIONAL, st.none() | DATES, st.none() | DATES, st.none() | PEOPLE,
              st.none() | PEOPLE, SMALL(MEMBERS, max_size=4).map(tuple), st.none() | REPORTS,
              st.none() | TRANSFERS),
    st.builds(PersonProjects, LANGUAGES, PEOPLE, SMALL(st.builds(
        PersonAssignment, PROJECTS, st.sampled_from(Role), OPTIONAL, st.sampled_from(Phase)),
        max_size=4).map(tuple), st.none() | st.sampled_from(Role)),
    st.builds(ProjectList, LANGUAGES, FILTERS, SMALL(LIST_ITEMS, max_size=6).map(tuple),
              st.booleans(), COUNTS, st.integers(min_value=0, max_value=30),
              SMALL(SHORT, max_size=2).map(tuple)),
    st.builds(FaqAnswer, LANGUAGES, SHORT, SHORT),
    st.builds(ProjectFact, LANGUAGES, PROJECTS,
              st.sampled_from((Intent.DESCRIPTION, Intent.PROGRAMME, Intent.START,
                               Intent.PLANNED_END, Intent.HISTORY)),
              OPTIONAL, OPTIONAL, st.none() | DATES, st.none() | DATES, st.none() | DATES,
              SMALL(REPORTS, max_size=5).map(tuple)),
    st.builds(ProgrammeFact, LANGUAGES, SHORT, OPTIONAL, st.booleans(), st.none() | DATES,
              OPTIONAL, COUNTS),
    st.builds(PortfolioSummary, LANGUAGES, FILTERS, COUNTS,
              SMALL(st.builds(Tally, st.none() | st.sampled_from(Health), COUNTS),
                    max_size=4).map(tuple),
              SMALL(st.builds(Tally, st.sampled_from(Phase), COUNTS), max_size=5).map(tuple),
              SMALL(st.builds(Tally, st.none() | st.sampled_from(TransferStatus), COUNTS),
                    max_size=5).map(tuple),
              SMALL(LIST_ITEMS, max_size=12).map(tuple), COUNTS,
              st.integers(min_value=0, max_value=30)),
    st.builds(StatusPosted, LANGUAGES, PROJECTS, REPORTS),
    st.builds(StatusRefused, LANGUAGES, PROJECTS, st.booleans(),
              SMALL(PEOPLE, max_size=3).map(tuple)),
    st.builds(StatusInvalid, LANGUAGES, st.none() | PROJECTS, SMALL(st.sampled_from((
        "health_missing", "summary_empty", "summary_too_long", "already_processing",
        "form_project_missing")), max_size=3).map(tuple), COUNTS),
    st.builds(StatusWithdrawn, LANGUAGES, PROJECTS, REPORTS),
    st.builds(NothingToUndo, LANGUAGES, COUNTS),
    st.builds(MyProjects, LANGUAGES, st.none() | PEOPLE, SMALL(st.builds(
        LedProjectView, PROJECTS, st.sampled_from(Role), st.none() | REPORTS, st.booleans()),
        max_size=4).map(tuple), COUNTS),
    st.builds(SubscriptionChanged, LANGUAGES,
              st.sampled_from(("subscribed", "updated", "unsubscribed")), OPTIONAL, KIND_NAMES,
              COUNTS),
    st.builds(SubscriptionList, LANGUAGES, SMALL(st.builds(
        SubscriptionItem, OPTIONAL, KIND_NAMES, st.none() | MOMENTS, OPTIONAL),
        max_size=4).map(tuple), OPTIONAL),
    st.builds(SubscriptionHelp, LANGUAGES, SMALL(SHORT, max_size=3).map(tuple),
              SMALL(SHORT, max_size=3).map(tuple)),
)


ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


@PROFILE
@given(ANSWERS)
def test_every_answer_renders_as_text_and_card(answer: Answer) -> None:
    check_rendering(answer, says_something=False)   # built from blank strings, it may be blank


@PROFILE
@given(ANSWERS)
def test_card_text_blocks_are_inert(answer: Answer) -> None:
    """No TextBlock or fact carries an unescaped markdown character: user text stays text."""
    card = reply_activity(answer).attachments[0].content
    blocks = [b for b in card["body"] if b.get("type") == "TextBlock"]
    facts = [f for b in card["body"] if b.get("type") == "FactSet" for f in b["facts"]]
    for shown in [b["text"] for b in blocks] + _strings(facts):
        assert inert(ESCAPED.sub(r"\1", shown)) == shown, shown


@PROFILE
@given(SHORT, LANGUAGES)
def test_presenter_messages_never_raise(text: str, language: Language) -> None:
    presenter = CardPresenter()
    for activity in (presenter.message(text or ".", language),
                     presenter.choices(text or "?", [(text[:20] or "x", text or "y")], language)):
        json.dumps(activity.attachments[0].content, ensure_ascii=False)

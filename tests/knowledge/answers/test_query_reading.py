"""The grammar: the questions issue 14 lists, read into the query they ask.

Each case checks the `Query` (or `Choose` / `Missing`) the grammar makes of a question on the
demo portfolio: what is asked, about which entity, and every filter, so a question with two
conditions can never lose one silently. Answers to the same questions are checked end to end
by the evaluation set (`test_evaluation.py`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from knowledge.answers.answers import Intent
from knowledge.answers.name_resolution import resolve
from knowledge.answers.query_reading import Choose, Missing, Reading, read_query
from knowledge.language.dates import DateField, DateRange
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Ask, DateFilter, Query
from knowledge.language.understanding import understand
from knowledge.portfolio.model import Health, TransferStatus
from knowledge.portfolio.snapshot import Snapshot

TODAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def read(snapshot: Snapshot, text: str) -> Reading:
    question = understand(text, TODAY.date())
    return read_query(snapshot, question, resolve(snapshot, question))


def person_id(snapshot: Snapshot, name: str) -> int:
    [found] = [p.id for p in snapshot.persons.values() if p.full_name == name]
    return found


def project_id(snapshot: Snapshot, code: str) -> int:
    [found] = [p.id for p in snapshot.projects.values() if p.code == code]
    return found


def programme_id(snapshot: Snapshot, short_name: str) -> int:
    [found] = [p.id for p in snapshot.programmes.values() if p.short_name == short_name]
    return found


def test_person_health_and_role_combine(sqlite_demo_snapshot: Snapshot) -> None:
    query = read(sqlite_demo_snapshot, "Hvilke røde prosjekter eier Mona Berg?")
    assert isinstance(query, Query) and query.ask is Ask.LIST
    assert query.filters.health == {Health.RED}
    assert query.filters.owner_id == person_id(sqlite_demo_snapshot, "Mona Berg")
    assert query.filters.manager_id is None and query.filters.person_id is None


def test_programme_and_manager_combine(sqlite_demo_snapshot: Snapshot) -> None:
    s = sqlite_demo_snapshot
    query = read(s, "Hvilke prosjekter i Regional IKT-prosjektportefølje leder Ingrid Sæther?")
    assert isinstance(query, Query) and query.ask is Ask.LIST
    assert query.filters.programme_id == programme_id(s, "RIP")
    assert query.filters.manager_id == person_id(s, "Ingrid Sæther")


@pytest.mark.parametrize(("text", "health"), [
    ("Hvilke prosjekter har status gul eller rød?", {Health.YELLOW, Health.RED}),
    ("Gule prosjekter i STIM", {Health.YELLOW}),
    ("Kor mange prosjekt er raude?", {Health.RED}),
])
def test_health_filters(sqlite_demo_snapshot: Snapshot, text: str, health: set[Health]) -> None:
    query = read(sqlite_demo_snapshot, text)
    assert isinstance(query, Query) and query.ask in (Ask.LIST, Ask.COUNT)
    assert query.filters.health == health


def test_a_count_by_a_manager(sqlite_demo_snapshot: Snapshot) -> None:
    query = read(sqlite_demo_snapshot, "Hvor mange prosjekter leder Øystein Ødegård?")
    assert isinstance(query, Query) and query.ask is Ask.COUNT
    assert query.filters.manager_id == person_id(sqlite_demo_snapshot, "Øystein Ødegård")


@pytest.mark.parametrize(("text", "wanted"), [
    ("Hvilke prosjekter skal være ferdige i 2026?",
     DateFilter(DateField.PLANNED_END, DateRange(date(2026, 1, 1), date(2026, 12, 31)))),
    ("Which projects were transferred in January 2024?",
     DateFilter(DateField.TRANSFER, DateRange(date(2024, 1, 1), date(2024, 1, 31)))),
    ("prosjekter som startet før 2021",
     DateFilter(DateField.START, DateRange(None, date(2020, 12, 31)))),
    ("Hvilke prosjekter har ikke rapportert etter 1. oktober?",
     DateFilter(DateField.REPORT, DateRange(date(2026, 10, 2), None), negated=True)),
    ("prosjekter med rapport eldre enn 30 dager",
     DateFilter(DateField.REPORT, DateRange(None, date(2026, 10, 26)))),
])
def test_dates(sqlite_demo_snapshot: Snapshot, text: str, wanted: DateFilter) -> None:
    query = read(sqlite_demo_snapshot, text)
    assert isinstance(query, Query) and query.ask is Ask.LIST
    assert query.filters.dates == (wanted,)
    assert not query.filters.phases, "'ferdige' next to a date is a date, not the phase"


def test_planned_end_is_not_a_planned_transfer(sqlite_demo_snapshot: Snapshot) -> None:
    query = read(sqlite_demo_snapshot, "Hvilke prosjekter er planlagt ferdig etter 2024?")
    assert isinstance(query, Query) and not query.filters.transfer
    assert [d.field for d in query.filters.dates] == [DateField.PLANNED_END]


def test_missing_reports(sqlite_demo_snapshot: Snapshot) -> None:
    query = read(sqlite_demo_snapshot, "Hvilke prosjekter mangler statusrapport?")
    assert isinstance(query, Query) and query.filters.no_report and not query.filters.dates


def test_an_organisation_and_transfer_status(sqlite_demo_snapshot: Snapshot) -> None:
    query = read(sqlite_demo_snapshot, "Hvilke prosjekter er overført fra Helse Sør-Øst RHF?")
    assert isinstance(query, Query)
    assert query.filters.transfer == {TransferStatus.TRANSFERRED}
    assert query.filters.transfer_organization_id is not None   # from or to, not owned by
    assert query.filters.organization_id is None


@pytest.mark.parametrize(("text", "code", "fact"), [
    ("Hva går DHO ut på?", "RP-003", Intent.DESCRIPTION),
    ("What is the cloud platform about?", "ST-003", Intent.DESCRIPTION),
    ("Hvilket program hører trådløst nett fase II til?", "ST-007", Intent.PROGRAMME),
    ("Når startet Digital patologi?", "RP-002", Intent.START),
    ("Når er helselogistikk planlagt ferdig?", "RP-007", Intent.PLANNED_END),
    ("Hvem rapporterte siste status på helselogistikk?", "RP-007", Intent.STATUS),
    ("Hva var forrige status for EPJ-modernisering?", "RP-001", Intent.HISTORY),
    ("Hvorfor ble ikke KI i bildediagnostikk overført?", "RP-009", Intent.TRANSFER),
    ("Hvem leder prosjektet om skannere?", "RP-002", Intent.MANAGER),
    ("prosjektet med KOLS-pasienter", "RP-003", Intent.OVERVIEW),
    ("Which project deals with access points?", "ST-004", Intent.OVERVIEW),
    ("Kven eig DHO?", "RP-003", Intent.OWNER),
    ("Korleis går det med helselogistikk?", "RP-007", Intent.STATUS),
])
def test_facts_about_one_project(sqlite_demo_snapshot: Snapshot, text: str, code: str,
                                 fact: Intent) -> None:
    query = read(sqlite_demo_snapshot, text)
    assert isinstance(query, Query)
    assert (query.ask, query.fact, query.subject_kind, query.subject_id) == (
        Ask.FACT, fact, EntityKind.PROJECT, project_id(sqlite_demo_snapshot, code))


@pytest.mark.parametrize("text", ["Er STIM avsluttet?", "Når ble STIM avsluttet?"])
def test_programme_facts(sqlite_demo_snapshot: Snapshot, text: str) -> None:
    query = read(sqlite_demo_snapshot, text)
    assert query == Query(Ask.FACT, Intent.PROGRAMME_STATUS, EntityKind.PROGRAMME,
                          programme_id(sqlite_demo_snapshot, "STIM"))


@pytest.mark.parametrize(("text", "scoped"), [
    ("Gi meg en oversikt over porteføljen", False),
    ("Hvordan står det til i porteføljen?", False),
    ("summary of STIM", True),
])
def test_overviews(sqlite_demo_snapshot: Snapshot, text: str, scoped: bool) -> None:
    query = read(sqlite_demo_snapshot, text)
    assert isinstance(query, Query) and query.ask is Ask.SUMMARY
    assert (query.filters.programme_id is not None) is scoped


def test_a_shared_first_name_asks_which(sqlite_demo_snapshot: Snapshot) -> None:
    choice = read(sqlite_demo_snapshot, "Which projects does Kari own?")
    assert isinstance(choice, Choose) and choice.kind is EntityKind.PERSON
    names = {sqlite_demo_snapshot.persons[i].full_name for i in choice.ids}
    assert names == {"Kari Nordmann", "Kari Lunde"} and choice.intent is Intent.OWNER


def test_an_unknown_project_is_missing_not_several(sqlite_demo_snapshot: Snapshot) -> None:
    reading = read(sqlite_demo_snapshot, "Hvem eier prosjektet Robotkirurgi i skyen?")
    assert isinstance(reading, Missing) and "Robotkirurgi" in reading.mention


def test_a_condition_the_database_does_not_hold_is_said(sqlite_demo_snapshot: Snapshot) -> None:
    query = read(sqlite_demo_snapshot, "Hvilke prosjekter har budsjett over 10 MNOK?")
    assert isinstance(query, Query) and query.unsupported and query.filters.is_empty()

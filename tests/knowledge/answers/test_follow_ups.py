"""Follow-ups on the demo portfolio, through `Answerer.answer_with` and the memory it returns.

Each script is one person's conversation: every reply must show the facts listed (and none
of those refused), and a question naming its own subject is never bent to the old one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Clarification, ProjectList
from knowledge.answers.conversation import Memory
from knowledge.answers.plain_text import render
from knowledge.portfolio.snapshot import Snapshot

TODAY = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
Script = list[tuple[str, tuple[str, ...], tuple[str, ...]]]   # said, shown, not shown

SCRIPTS: dict[str, Script] = {
    "pronouns": [
        ("Hvem eier helselogistikk?", ("Hilde Johansen",), ()),
        ("og hvem er prosjektleder?", ("Nina Dahl", "(RP-007)"), ()),
        ("når skal det være ferdig?", ("31.12.2027",), ()),
        ("and its status?", ("yellow", "(RP-007)"), ()),
    ],
    "nynorsk": [
        ("Kven eig DHO?", ("Hilde Johansen",), ()),
        ("kva er status for det?", ("(RP-003)", "statusrapport enno"), ()),
    ],
    "new subject": [
        ("Who leads the cloud platform?", ("Magnus Eriksen",), ()),
        ("what about the telecom platform?", ("Anders Pedersen", "(ST-005)"), ()),
        ("hva med fase I?", ("Øystein Ødegård", "(ST-008)"), ()),
    ],
    "narrow": [
        ("Hvilke prosjekter er i gjennomføring?", ("10 prosjekter",), ()),
        ("og de røde?", ("2 prosjekter", "(RP-004)", "(ST-005)"), ("(RP-001)",)),
        ("only the ones Anders Pedersen leads", ("(ST-005)",), ("(RP-004)",)),
    ],
    "more": [
        ("Hvilke prosjekter er overført?", ("12 prosjekter", "og 2 til"), ("(ST-007)",)),
        ("vis flere", ("Prosjekt 11–12 av 12", "(ST-006)", "(ST-007)"), ("(RP-001)",)),
        ("vis flere", ("Det var alle 12",), ("(ST-007)",)),
    ],
    "pick": [
        ("status trådløst nett", ("1. Trådløst nett fase II", "2. Trådløst nett fase I"), ()),
        ("den første", ("(ST-007)", "grønn"), ("(ST-008)",)),
    ],
    "pick by name": [
        ("Which projects does Kari own?", ("Kari Nordmann", "Kari Lunde"), ()),
        ("Kari Lunde", ("Kari Lunde",), ("Kari Nordmann",)),
    ],
    "correction": [
        ("Hvem leder trådløst nett fase II?", ("Magnus Eriksen",), ()),
        ("nei, jeg mente fase I", ("Øystein Ødegård", "(ST-008)"), ()),
    ],
    "independent": [
        ("Hvem eier helselogistikk?", ("Hilde Johansen",), ()),
        ("Hvem leder Digital patologi?", ("Ingrid Sæther", "(RP-002)"), ("(RP-007)",)),
        ("Hva er status på DHO?", ("(RP-003)",), ("(RP-002)", "(RP-007)")),
    ],
    "a new question after a clarification": [
        ("status trådløst nett", ("passer til flere",), ()),
        ("Hvem eier DHO?", ("Hilde Johansen", "(RP-003)"), ("(ST-007)",)),
    ],
}


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_scripts(sqlite_demo_snapshot: Snapshot, name: str) -> None:
    answerer = Answerer(lambda: sqlite_demo_snapshot, clock=lambda: TODAY)
    memory: Memory | None = None
    for said, shown, refused in SCRIPTS[name]:
        exchange = answerer.answer_with(said, memory)
        text = render(exchange.answer)
        for fact in shown:
            assert fact in text, (said, fact, text)
        for fact in refused:
            assert fact not in text, (said, fact, text)
        memory = exchange.memory


def test_a_follow_up_without_memory_is_no_guess(sqlite_demo_snapshot: Snapshot) -> None:
    answerer = Answerer(lambda: sqlite_demo_snapshot, clock=lambda: TODAY)
    exchange = answerer.answer_with("og hvem leder det?", None)
    assert exchange.could_follow_up
    assert "(RP-" not in render(exchange.answer) and "(ST-" not in render(exchange.answer)


def test_memory_older_than_thirty_minutes_is_forgotten(sqlite_demo_snapshot: Snapshot) -> None:
    now = [TODAY]
    answerer = Answerer(lambda: sqlite_demo_snapshot, clock=lambda: now[0])
    memory = answerer.answer_with("Hvem eier helselogistikk?", None).memory
    now[0] = TODAY + timedelta(minutes=31)
    assert "Nina Dahl" not in render(answerer.answer_with("og hvem leder det?", memory).answer)


def test_what_is_remembered_and_when_it_changes(sqlite_demo_snapshot: Snapshot) -> None:
    answerer = Answerer(lambda: sqlite_demo_snapshot, clock=lambda: TODAY)
    named = answerer.answer_with("Hvem eier Regional løsning for helselogistikk?", None)
    assert not named.could_follow_up and named.changed(None)
    assert answerer.answer_with("2", None).could_follow_up, "a short reply may be a pick"
    thanks = answerer.answer_with("takk!", named.memory)
    assert not thanks.changed(named.memory), "small talk keeps the subject"
    listed = answerer.answer_with("Hvilke prosjekter er overført?", named.memory)
    assert isinstance(listed.answer, ProjectList) and listed.memory is not None
    assert listed.memory.shown == 10
    asked = answerer.answer_with("status trådløst nett", listed.memory)
    assert isinstance(asked.answer, Clarification) and asked.memory is not None
    assert asked.memory.choices is not None and asked.memory.query == listed.memory.query


def test_a_name_we_do_not_hold_is_not_taken_for_the_last_subject(
        sqlite_demo_snapshot: Snapshot) -> None:
    answerer = Answerer(lambda: sqlite_demo_snapshot, clock=lambda: TODAY)
    memory = answerer.answer_with("Hvem eier Regional EPJ-modernisering?", None).memory
    for unknown in ("hvem eier marsferd?", '" OR ""=""; DELETE FROM status_report WHERE 1=1; --'):
        text = render(answerer.answer_with(unknown, memory).answer)
        assert "(RP-001)" not in text and "Hilde Johansen" not in text, (unknown, text)

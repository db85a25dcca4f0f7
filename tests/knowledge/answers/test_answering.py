"""Answers to the issue's headline questions, on SQLite and PostgreSQL."""

from __future__ import annotations

from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Clarification, Intent, ProjectPeople, ProjectTransfer
from knowledge.answers.plain_text import render
from knowledge.portfolio.model import TransferStatus


async def test_manager_of_wireless_phase_two(answerer: Answerer) -> None:
    answer = answerer.answer("Hvem er prosjektleder for trådløst nett fase 2?")
    assert isinstance(answer, ProjectPeople)
    assert answer.focus is Intent.MANAGER
    assert answer.project.code == "ST-007"
    assert answer.manager is not None
    assert answer.manager.name == "Magnus Eriksen"
    assert "Magnus Eriksen" in render(answer)


async def test_transfer_of_dho_gives_status_and_date(answerer: Answerer) -> None:
    answer = answerer.answer("Er DHO overført til Sykehuspartner?")
    assert isinstance(answer, ProjectTransfer)
    assert answer.transfer is not None
    assert answer.transfer.status is TransferStatus.TRANSFERRED
    assert "01.01.2024" in render(answer)


async def test_wireless_without_phase_asks_which(answerer: Answerer) -> None:
    answer = answerer.answer("status trådløst nett")
    assert isinstance(answer, Clarification)
    assert {c.label for c in answer.candidates} == {"Trådløst nett fase I", "Trådløst nett fase II"}


def test_phase_said_as_a_word_and_the_definite_owner(demo_answerer: Answerer) -> None:
    for question in ("who owns the wireless network phase two?",
                     "hvem er eieren av trådløst nett fase to?"):
        answer = demo_answerer.answer(question)
        assert isinstance(answer, ProjectPeople), question
        assert answer.focus is Intent.OWNER, question
        assert answer.project.code == "ST-007", question

"""Nynorsk wording (issue 14 item 5): every phrase has its own nynorsk text, with the same
placeholders as the bokmål one, and answers render in nynorsk.

A missing nynorsk text would silently fall back to bokmål (`Wording.__missing__`), so these
tests read the tables' own entries, not the fallback.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest

from knowledge.answers.answers import (
    Clarification,
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
    ProjectListItem,
    ProjectPeople,
    ProjectStatus,
    ProjectTransfer,
    ProjectView,
    ReportView,
    SubscriptionChanged,
    TransferView,
)
from knowledge.answers.phrases import (
    EXAMPLE_QUESTIONS,
    HEALTH,
    PHASE,
    ROLE,
    SUBSCRIPTION_EXAMPLES,
    SUBSCRIPTION_KIND,
    SUBSCRIPTION_TARGET_KIND,
    TEXT,
    TRANSFER,
    Wording,
    command_help,
    format_date,
    say,
    subscription_examples,
)
from knowledge.answers.plain_text import render
from knowledge.portfolio.model import Health, Phase, Role, TransferStatus

NB, NN, EN = Language.NB, Language.NN, Language.EN
TABLES: Mapping[str, Mapping[Any, Wording]] = {
    "PHASE": PHASE, "HEALTH": HEALTH, "TRANSFER": TRANSFER, "ROLE": ROLE, "TEXT": TEXT,
    "EXAMPLE_QUESTIONS": EXAMPLE_QUESTIONS, "SUBSCRIPTION_KIND": SUBSCRIPTION_KIND,
    "SUBSCRIPTION_TARGET_KIND": SUBSCRIPTION_TARGET_KIND,
}
# Phrases whose words differ between bokmål and nynorsk: the nynorsk text must not be a copy.
DIFFERENT_WORDS = {
    "TEXT": ("greeting", "thanks", "help_intro", "not_understood", "not_found", "did_you_mean",
             "clarify", "none_of_these", "owner_is", "manager_is", "no_owner", "no_manager",
             "status_stale", "no_status", "no_transfer", "transferred", "transfer_planned",
             "transfer_not", "unknown", "open_ended", "person_no_projects_role", "list_count",
             "days_ago", "turn_error", "not_ready", "my_projects", "my_projects_none",
             "dialog_choose_project", "dialog_choose_health", "subscription_help",
             "no_subscriptions", "subscription_everything", "label_from"),
    "EXAMPLE_QUESTIONS": ("owner", "status", "red", "person", "programme"),
    "ROLE": (Role.OWNER, Role.MANAGER, Role.MEMBER),
    "HEALTH": (Health.GREEN, Health.RED),
    "PHASE": (Phase.PAUSED, Phase.CLOSED),
    "TRANSFER": (TransferStatus.NOT_TRANSFERRED,),
    "SUBSCRIPTION_KIND": ("people",),
}
# Bokmål-only word forms that give a nynorsk text away as bokmål.
BOKMAL_ONLY = ("ikke", "jeg", "hvem", "hva", "hvilke", "noe", "noen", "fra", "dager", "ble",
               "mener", "prosjekteier", "prosjektleder", "deltaker", "hele", "endringer",
               "ennå", "nå", "rød", "grønn")


def entries() -> Iterator[tuple[str, object, Wording]]:
    for table_name, table in TABLES.items():
        for key, wording in table.items():
            yield table_name, key, wording


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def words(text: str) -> set[str]:
    return set("".join(ch if ch.isalpha() else " " for ch in text.lower()).split())


@pytest.mark.parametrize(("table", "key", "wording"), list(entries()),
                         ids=[f"{table}-{key}" for table, key, _ in entries()])
def test_every_phrase_has_its_own_nynorsk_text(table: str, key: object, wording: Wording) -> None:
    assert NN in wording, f"{table}[{key!r}] has no nynorsk text"   # not the bokmål fallback
    assert wording[NN].strip()
    assert placeholders(wording[NN]) == placeholders(wording[NB])
    assert not words(wording[NN]) & set(BOKMAL_ONLY), wording[NN]


def test_nynorsk_words_differ_from_bokmal_where_the_languages_do() -> None:
    for table, keys in DIFFERENT_WORDS.items():
        for key in keys:
            wording = TABLES[table][key]
            assert wording[NN] != wording[NB], f"{table}[{key!r}] is the bokmål text"


def test_the_nynorsk_forms_issue_14_names() -> None:
    assert TEXT["not_found"][NN] == (
        "Eg fann ikkje noko prosjekt eller nokon person som passar til «{mention}».")
    assert say("status_stale", NN, days=30) == "Merk: rapporten er eldre enn 30 dagar."
    assert EXAMPLE_QUESTIONS["owner"][NN] == "Kven eig {project}?"
    assert [HEALTH[h][NN] for h in Health] == ["grøn", "gul", "raud"]
    assert [ROLE[r][NN] for r in (Role.OWNER, Role.MANAGER, Role.MEMBER)] == [
        "prosjekteigar", "prosjektleiar", "deltakar"]


def test_bokmal_and_english_are_unchanged() -> None:
    assert TEXT["not_found"][NB] == (
        "Jeg fant ikke noe prosjekt eller noen person som passer til «{mention}».")
    assert TEXT["owner_is"][EN] == "The project owner of {project} is {person}."
    assert HEALTH[Health.RED][NB] == "rød"


def test_a_wording_without_nynorsk_falls_back_to_bokmal() -> None:
    wording = Wording({NB: "hei", EN: "hi"})
    assert wording[NN] == "hei"
    with pytest.raises(KeyError):
        Wording({NB: "hei"})[EN]


def test_subscription_examples_in_nynorsk_use_the_nynorsk_command_words() -> None:
    assert len(SUBSCRIPTION_EXAMPLES[NN]) == len(SUBSCRIPTION_EXAMPLES[NB])
    for nynorsk, bokmal in zip(SUBSCRIPTION_EXAMPLES[NN], SUBSCRIPTION_EXAMPLES[NB], strict=True):
        assert placeholders(nynorsk) == placeholders(bokmal)
    examples = subscription_examples(NN, "DHO", "STIM")
    assert "abonnement" in examples
    assert "avslutt alle abonnementa" in examples
    assert subscription_examples(NN, None, None) == (
        "abonner alle kun overføring", "abonnement", "avslutt alle abonnementa")


def test_subscription_examples_in_nynorsk_are_commands_the_bot_reads() -> None:
    # Imported here: the parser pulls in the answerer, which the rest of this file does not need.
    from knowledge.commands.subscription_commands import (
        SubscriptionAction,
        parse_subscription_command,
    )

    actions = [parse_subscription_command(example)
               for example in subscription_examples(NN, "DHO", "STIM")]
    assert [found.action if found else None for found in actions] == [
        SubscriptionAction.SUBSCRIBE, SubscriptionAction.SUBSCRIBE, SubscriptionAction.SUBSCRIBE,
        SubscriptionAction.LIST, SubscriptionAction.UNSUBSCRIBE, SubscriptionAction.UNSUBSCRIBE]


def test_dates_in_nynorsk_are_written_the_norwegian_way() -> None:
    assert format_date(date(2026, 10, 31), NN) == "31.10.2026"
    assert format_date(date(2026, 10, 31), EN) == "2026-10-31"


def test_the_help_lists_the_commands_in_nynorsk_too() -> None:
    # Each command in nynorsk where the command table has it, else in bokmål; never missing.
    assert len(command_help(NN)) == len(command_help(NB))
    assert all(what and does for what, does in command_help(NN))


PROJECT = ProjectView(id=1, code="RP-014", name="Digital patologi")
MONA = PersonView(name="Mona Berg", title="Direktør", organization="Sykehuspartner")
REPORT = ReportView(health=Health.RED, summary="Forseinka leveranse.",
                    reported_at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC), author=MONA,
                    age_days=40, source="chat")


def test_answers_render_in_nynorsk() -> None:
    assert render(Greeting(NN)).startswith("Hei! Eg er porteføljeboten.")
    assert render(NotFound(NN, mention="Robotkirurgi")) == (
        "Eg fann ikkje noko prosjekt eller nokon person som passar til «Robotkirurgi».")
    assert render(ProjectPeople(NN, PROJECT, Intent.OWNER, owner=MONA, manager=None)) == (
        "Prosjekteigar for Digital patologi (RP-014) er Mona Berg (Direktør, Sykehuspartner).")
    assert render(ProjectPeople(NN, PROJECT, Intent.MANAGER, owner=MONA, manager=None)) == (
        "Digital patologi (RP-014) har ingen registrert prosjektleiar.")
    people = render(ProjectPeople(NN, PROJECT, Intent.PEOPLE, owner=MONA, manager=None,
                                 members=(MemberView(MONA, Role.MEMBER),)))
    assert "- prosjektleiar: ingen registrert" in people
    assert "- Mona Berg: deltakar" in people
    status = render(ProjectStatus(NN, PROJECT, REPORT))
    assert "Status for Digital patologi (RP-014): raud (01.10.2026, 40 dagar sidan)." in status
    assert "Merk: rapporten er eldre enn" in status and "dagar." in status
    transfer = TransferView(TransferStatus.NOT_TRANSFERRED, "Vestre Viken", None, None, None)
    assert render(ProjectTransfer(NN, PROJECT, transfer)) == (
        "Nei, Digital patologi (RP-014) er ikkje overført (Vestre Viken).")
    planned = TransferView(TransferStatus.PLANNED, "Vestre Viken", "Sykehuspartner",
                           date(2027, 1, 1), None)
    assert render(ProjectTransfer(NN, PROJECT, planned)) == (
        "Overføringa av Digital patologi (RP-014) frå Vestre Viken til Sykehuspartner er "
        "planlagd (01.01.2027).")
    red = ProjectList(NN, ListFilters(health=frozenset({Health.RED})),
                      (ProjectListItem(PROJECT, Phase.PAUSED, Health.RED, None),), total=2)
    assert render(red).splitlines() == ["2 prosjekt med status raud.",
                                       "- Digital patologi (RP-014): pausa, raud"]
    assert render(ProjectList(NN, ListFilters(), (), total=0)) == "Ingen prosjekt."
    person = render(PersonProjects(NN, MONA, (
        PersonAssignment(PROJECT, Role.OWNER, None, Phase.CLOSED),), role_filter=Role.OWNER))
    assert person.splitlines() == [
        "Mona Berg (Direktør, Sykehuspartner) er prosjekteigar for 1 prosjekt:",
        "- Digital patologi (RP-014): prosjekteigar (avslutta)"]
    assert render(Clarification(NN, mention="patologi", candidates=())) == (
        "«patologi» passar til fleire. Kva for ein meiner du?")
    assert render(NotUnderstood(NN, examples=("Kven eig DHO?",))).splitlines() == [
        "Det forstod eg ikkje heilt. Prøv til dømes:", "- Kven eig DHO?"]
    assert render(Help(NN, examples=())).startswith(
        "Eg svarar på spørsmål om den regionale IKT-porteføljen.")
    assert render(SubscriptionChanged(NN, "subscribed", None, kinds=("people",))) == (
        "Denne samtalen abonnerer no på endringar i heile porteføljen (kun eigar/leiar).")

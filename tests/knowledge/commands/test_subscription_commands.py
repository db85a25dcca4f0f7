"""Subscription commands: reading them in both languages, and resolving their target on the demo portfolio."""

from __future__ import annotations

import pytest

from knowledge.answers.answering import Answerer
from knowledge.answers.answers import Clarification, Language, NotFound
from knowledge.commands.subscription_commands import (
    KIND_GROUPS,
    SubscriptionAction,
    Target,
    TargetKind,
    command_text,
    kind_groups,
    parse_subscription_command,
    resolve_target,
)
from knowledge.language.name_index import EntityKind
from knowledge.portfolio.events import EventKind
from knowledge.portfolio.snapshot import Snapshot

SUBSCRIBE, LIST, UNSUBSCRIBE = SubscriptionAction
STATUS = KIND_GROUPS["status"]
TRANSFER = KIND_GROUPS["transfer"]
PHASE = KIND_GROUPS["phase"]
PEOPLE = KIND_GROUPS["people"]


@pytest.mark.parametrize(("text", "language", "mention", "everything"), [
    ("abonner Regional radiologi 2.0", Language.NB, "Regional radiologi 2.0", False),
    ("Abonnér på DHO", Language.NB, "DHO", False),
    ("abonnere på «Trådløst nett fase II».", Language.NB, "Trådløst nett fase II", False),
    ("abonner på programmet STIM", Language.NB, "STIM", False),
    ("abonner STIM-programmet", Language.NB, "STIM", False),
    ("abonner alle", Language.NB, "", True),
    ("abonner på hele porteføljen", Language.NB, "", True),
    ("subscribe radiology 2.0", Language.EN, "radiology 2.0", False),
    ("Subscribe to the cloud platform!", Language.EN, "the cloud platform", False),
    ("subscribe this channel to STIM", Language.EN, "STIM", False),
    ("subscribe all", Language.EN, "", True),
    ("subscribe to all projects", Language.EN, "", True),
])
def test_subscribe(text: str, language: Language, mention: str, everything: bool) -> None:
    command = parse_subscription_command(text)
    assert command is not None
    assert (command.action, command.language, command.mention, command.everything) == (
        SUBSCRIBE, language, mention, everything)
    assert command.kinds == frozenset()


@pytest.mark.parametrize(("text", "mention", "kinds"), [
    ("abonner Regional radiologi 2.0 kun status", "Regional radiologi 2.0", STATUS),
    ("abonner DHO, bare overføring", "DHO", TRANSFER),
    ("abonner alle kun fase", "", PHASE),
    ("abonner STIM kun eier/leder", "STIM", PEOPLE),
    ("abonner DHO kun status og overføringer", "DHO", STATUS | TRANSFER),
    ("subscribe radiology 2.0 only status", "radiology 2.0", STATUS),
    ("subscribe to all only transfers", "", TRANSFER),
    ("subscribe DHO only people and phase changes", "DHO", PEOPLE | PHASE),
    ("subscribe DHO status only", "DHO", STATUS),
    ("subscribe wireless phase 2 transfer only", "wireless phase 2", TRANSFER),
])
def test_subscribe_with_kinds(text: str, mention: str, kinds: frozenset[EventKind]) -> None:
    command = parse_subscription_command(text)
    assert command is not None and command.action is SUBSCRIBE
    assert command.mention == mention
    assert command.everything is (mention == "")
    assert command.kinds == kinds
    assert not command.unknown_kinds


def test_kind_groups_map_to_event_kinds() -> None:
    assert KIND_GROUPS["status"] == {EventKind.STATUS_REPORTED, EventKind.HEALTH_CHANGED}
    assert KIND_GROUPS["transfer"] == {EventKind.TRANSFER_STATUS_CHANGED}
    assert KIND_GROUPS["phase"] == {EventKind.PHASE_CHANGED, EventKind.PROJECT_ADDED, EventKind.PROJECT_REMOVED}
    assert KIND_GROUPS["people"] == {EventKind.OWNER_CHANGED, EventKind.MANAGER_CHANGED}
    assert kind_groups(STATUS | PEOPLE) == ("status", "people")
    assert kind_groups(frozenset()) == ()


def test_unknown_kind_words_are_reported() -> None:
    command = parse_subscription_command("abonner DHO kun budsjett")
    assert command is not None
    assert command.mention == "DHO" and command.unknown_kinds == ("budsjett",)


def test_subscribe_without_a_target_needs_one() -> None:
    for text in ("abonner", "subscribe", "unsubscribe", "avslutt abonnement"):
        command = parse_subscription_command(text)
        assert command is not None and command.needs_target, text


@pytest.mark.parametrize(("text", "language"), [
    ("abonnementer", Language.NB), ("Abonnementer?", Language.NB),
    ("vis abonnementer", Language.NB), ("mine abonnementer", Language.NB),
    ("hvilke abonnementer har vi?", Language.NB),
    ("subscriptions", Language.EN), ("show our subscriptions", Language.EN),
    ("list subscriptions", Language.EN), ("what are our subscriptions?", Language.EN),
])
def test_list(text: str, language: Language) -> None:
    command = parse_subscription_command(text)
    assert command is not None
    assert (command.action, command.language) == (LIST, language)


@pytest.mark.parametrize(("text", "language", "mention", "everything"), [
    ("avslutt abonnement Regional radiologi 2.0", Language.NB, "Regional radiologi 2.0", False),
    ("avslutt abonnementet på DHO", Language.NB, "DHO", False),
    ("avslutt alle abonnementer", Language.NB, "", True),
    ("avslutt abonnement alle", Language.NB, "", True),
    ("unsubscribe radiology 2.0", Language.EN, "radiology 2.0", False),
    ("unsubscribe from STIM", Language.EN, "STIM", False),
    ("unsubscribe all", Language.EN, "", True),
    ("cancel all subscriptions", Language.EN, "", True),
])
def test_unsubscribe(text: str, language: Language, mention: str, everything: bool) -> None:
    command = parse_subscription_command(text)
    assert command is not None
    assert (command.action, command.language, command.mention, command.everything) == (
        UNSUBSCRIBE, language, mention, everything)


@pytest.mark.parametrize("text", [
    "hva er status på DHO",
    "hvilke abonnementer finnes for sky?",
    "subscriptions for the cloud platform?",
    "hvordan abonnerer jeg på varsler?",
    "abonnerer vi på DHO?",
    "subscribed projects",
    "abonnementet på sky",
    "who subscribes to DHO?",
    "status trådløst nett",
    "",
])
def test_not_a_command(text: str) -> None:
    assert parse_subscription_command(text) is None


# ----------------------------------------------------------------- targets
def test_project_target(demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    for mention in ("Regional radiologi 2.0", "radiology 2.0", "RP-005"):
        target = resolve_target(demo_answerer, sqlite_demo_snapshot, mention)
        assert isinstance(target, Target), mention
        assert (target.kind, target.id) == (TargetKind.PROJECT, 5)
        assert target.label is not None and "Regional radiologi 2.0" in target.label


def test_programme_target(demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    for mention in ("STIM", "stim", "Program for standardisering og IKT-infrastrukturmodernisering"):
        target = resolve_target(demo_answerer, sqlite_demo_snapshot, mention)
        assert isinstance(target, Target), mention
        assert (target.kind, target.id) == (TargetKind.PROGRAMME, 1)
        assert target.label is not None and target.label.startswith("STIM")


def test_everything_target(demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    target = resolve_target(demo_answerer, sqlite_demo_snapshot, "alle")
    assert target == Target(TargetKind.ALL, 0, None)


def test_ambiguous_target_asks_with_buttons_that_resend_the_command(
        demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    target = resolve_target(demo_answerer, sqlite_demo_snapshot, "trådløst nett",
                            language=Language.NB, kinds=STATUS)
    assert isinstance(target, Clarification)
    assert {(c.kind, c.id) for c in target.candidates} == {
        (EntityKind.PROJECT, 17), (EntityKind.PROJECT, 18)}
    texts = list(target.commands)
    assert target.button_data == (), "knowledge says which command; the host makes the button"
    assert sorted(texts) == ["abonner ST-007 kun status", "abonner ST-008 kun status"]
    # each button's text is itself a command that resolves to exactly that project
    for text, candidate in zip(texts, target.candidates, strict=True):
        command = parse_subscription_command(text)
        assert command is not None and command.kinds == STATUS
        chosen = resolve_target(demo_answerer, sqlite_demo_snapshot, command.mention)
        assert isinstance(chosen, Target) and chosen.id == candidate.id


def test_unknown_target(demo_answerer: Answerer, sqlite_demo_snapshot: Snapshot) -> None:
    target = resolve_target(demo_answerer, sqlite_demo_snapshot, "robotkirurgi kvantedatamaskin",
                            language=Language.EN)
    assert isinstance(target, NotFound)
    assert target.language is Language.EN
    assert target.mention == "robotkirurgi kvantedatamaskin"


def test_command_text_round_trips() -> None:
    target = Target(TargetKind.PROJECT, 5, "Regional radiologi 2.0 (RP-005)")
    for language in Language:
        text = command_text(target, PEOPLE | TRANSFER, language, "RP-005")
        command = parse_subscription_command(text)
        # Subscription commands are written alike in bokmål and nynorsk and read as bokmål.
        expected = Language.NB if language is Language.NN else language
        assert command is not None and command.language is expected
        assert command.mention == "RP-005" and command.kinds == PEOPLE | TRANSFER

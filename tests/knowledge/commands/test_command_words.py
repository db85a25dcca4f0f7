"""The command table: no message matches two commands, every command speaks bokmål, nynorsk and
English, and the words the bot understood before the table still mean what they meant."""

from __future__ import annotations

import itertools

import pytest

from knowledge.answers.answers import Help, Language
from knowledge.answers.plain_text import render
from knowledge.commands.command_words import (
    BY_NAME,
    COMMANDS,
    CommandName,
    Match,
    Trigger,
    Written,
    command_for,
    overlap,
    phrases,
    text_after,
)
from knowledge.commands.status_updates import parse_status_update
from knowledge.language.text import tokens

ARGUMENTS = ("", "DHO", "alle", "Regional radiologi 2.0", "DHO: grønn – alt går bra",
             "trådløst nett fase II kun status", "abonnement DHO", "avslutt", "status")


def matching(text: str) -> set[CommandName]:
    """Every command with a trigger that matches `text`, found without the lookup index."""
    words = tokens(text)
    return {command.name for command in COMMANDS
            if any(trigger.matches(words) for trigger in command.triggers)}


def every_trigger() -> list[tuple[CommandName, Trigger]]:
    return [(command.name, trigger) for command in COMMANDS for trigger in command.triggers]


def test_no_triggers_of_two_commands_overlap() -> None:
    collisions = [
        f"{a_name}: {a.phrase!r} ({a.match}) / {b_name}: {b.phrase!r} ({b.match})"
        for (a_name, a), (b_name, b) in itertools.combinations(every_trigger(), 2)
        if a_name != b_name and overlap(a, b)]
    assert collisions == []


def test_no_message_built_from_the_triggers_matches_two_commands() -> None:
    """Every phrase alone, with arguments, and followed by each command's shortest phrase: a
    brute-force check of what `overlap` decides, and the lookup index finds what the table
    says."""
    shortest = [min(command.triggers, key=lambda t: len(t.words)).phrase
                for command in COMMANDS if command.triggers]
    texts = {f"{trigger.phrase} {argument}".strip() for _, trigger in every_trigger()
             for argument in (*ARGUMENTS, *shortest)}
    assert len(texts) > 5_000
    for text in texts:
        found = matching(text)
        assert len(found) <= 1, (text, found)
        command = command_for(text)
        assert (command.name if command else None) == (next(iter(found)) if found else None), text


@pytest.mark.parametrize(("a", "b", "expected"), [
    (Trigger("avslutt", frozenset({Written.NB}), Match.WHOLE),
     Trigger("avslutt abonnement", frozenset({Written.NB}), Match.PREFIX), False),
    (Trigger("avslutt abonnement", frozenset({Written.NB}), Match.WHOLE),
     Trigger("avslutt abonnement", frozenset({Written.NB}), Match.PREFIX), True),
    (Trigger("status update", frozenset({Written.EN}), Match.WHOLE),
     Trigger("status", frozenset({Written.EN}), Match.PREFIX, 2), False),
    (Trigger("status update", frozenset({Written.EN}), Match.WHOLE),
     Trigger("status", frozenset({Written.EN}), Match.PREFIX, 1), True),
    (Trigger("avslutt", frozenset({Written.NB}), Match.PREFIX),
     Trigger("avslutt abonnement", frozenset({Written.NB}), Match.PREFIX), True),
    (Trigger("abonner", frozenset({Written.NB}), Match.PREFIX),
     Trigger("av abonner", frozenset({Written.NB}), Match.PREFIX), False),
    (Trigger("Avbryt!", frozenset({Written.NB}), Match.WHOLE),
     Trigger("avbryt", frozenset({Written.NN}), Match.WHOLE), True),
])
def test_overlap_is_whether_one_message_matches_both(a: Trigger, b: Trigger,
                                                     expected: bool) -> None:
    assert overlap(a, b) is expected and overlap(b, a) is expected


def test_the_old_cancel_rule_would_have_been_caught() -> None:
    """Before the table, any two words starting with a cancel word cancelled the dialog, so
    `avslutt abonnement` was both a cancel and an unsubscribe."""
    old_cancel = Trigger("avslutt abonnement", frozenset({Written.NB}), Match.WHOLE)
    unsubscribe = BY_NAME[CommandName.UNSUBSCRIBE].triggers
    assert any(overlap(old_cancel, trigger) for trigger in unsubscribe)


@pytest.mark.parametrize(("text", "name"), [
    ("avslutt", CommandName.CANCEL), ("Avslutt!", CommandName.CANCEL),
    ("stopp", CommandName.CANCEL), ("avbryt", CommandName.CANCEL), ("cancel", CommandName.CANCEL),
    ("avslutt abonnement DHO", CommandName.UNSUBSCRIBE),
    ("avslutt abonnement", CommandName.UNSUBSCRIBE),
    ("stopp abonnementet på STIM", CommandName.UNSUBSCRIBE),
    ("cancel all subscriptions", CommandName.UNSUBSCRIBE),
    ("oppdater status", CommandName.START_STATUS_DIALOG),
    ("oppdater status Trådløst nett fase II: grønn – ok", CommandName.POST_STATUS),
    ("status update", CommandName.START_STATUS_DIALOG),
    ("status update DHO: green - fine", CommandName.POST_STATUS),
    ("status DHO", None), ("status", None), ("hva er status på DHO?", None),
    ("mine", CommandName.MY_PROJECTS), ("mine abonnementer", CommandName.LIST_SUBSCRIPTIONS),
    ("abonnerer vi på DHO?", None), ("", None), ("!!!", None),
])
def test_a_message_goes_to_one_command_or_none(text: str, name: CommandName | None) -> None:
    found = command_for(text)
    assert (found.name if found else None) is name


# The command words exactly as the five places that kept them before the table had them.
OLD_WORDS: dict[CommandName, list[tuple[str, ...]]] = {
    # dialogs/status_update_dialog.py: CANCEL_WORDS (alone), START_PHRASES, SAVE_WORDS, NO_WORDS
    CommandName.CANCEL: [(w,) for w in ("avbryt", "cancel", "stopp", "stop", "avslutt", "quit")],
    CommandName.START_STATUS_DIALOG: [("oppdater", "status"), ("update", "status"),
                                      ("ny", "status"), ("new", "status"),
                                      ("statusoppdatering",), ("status", "update")],
    CommandName.CONFIRM: [(w,) for w in ("lagre", "ja", "save", "yes", "ok", "send")],
    CommandName.DECLINE: [("nei",), ("no",)],
    # bot/handlers/status_desk.py: UNDO_WORDS, MINE_WORDS
    CommandName.UNDO: [("angre",), ("undo",), ("angre", "status"), ("undo", "status")],
    CommandName.MY_PROJECTS: [("mine", "prosjekter"), ("my", "projects"), ("mine",)],
    # bot/handlers/activity_handler.py: FORM_PHRASES
    CommandName.STATUS_FORM: [("statusskjema",), ("status", "form"), ("statusskjemaet",),
                              ("skjema",), ("form",)],
}


@pytest.mark.parametrize("name", list(OLD_WORDS))
def test_the_words_of_before_keep_their_command(name: CommandName) -> None:
    for words in OLD_WORDS[name]:
        found = command_for(" ".join(words))
        assert found is not None and found.name is name, words


def test_every_command_with_words_has_them_in_bokmal_nynorsk_and_english() -> None:
    for command in COMMANDS:
        if command.triggers:
            written = set().union(*(trigger.languages for trigger in command.triggers))
            assert written == set(Written), command.name


def test_every_menu_title_with_words_is_its_own_command() -> None:
    for command in COMMANDS:
        if command.triggers and command.menu is not None:
            for language in Language:
                found = command_for(command.menu.title[language])
                assert found is not None and found.name is command.name, command.menu.title


def test_a_phrase_in_english_and_norwegian_leaves_the_language_open() -> None:
    status = command_for("status DHO: grønn – ok")
    assert status is not None and status.language is None
    english = command_for("unsubscribe all")
    assert english is not None and english.language is Language.EN
    nynorsk = command_for("kva abonnement har vi")
    assert nynorsk is not None and nynorsk.language is Language.NB


def test_phrases_expand_every_choice() -> None:
    assert phrases("vis|", "mine|", "abonnementer") == (
        "vis mine abonnementer", "vis abonnementer", "mine abonnementer", "abonnementer")


@pytest.mark.parametrize(("text", "phrase", "rest"), [
    ("avslutt abonnementet på DHO", "avslutt abonnementet", " på DHO"),
    ("Abonnér på «Trådløst nett fase II».", "abonner", " på «Trådløst nett fase II»."),
    ("av-abonner STIM", "av-abonner", " STIM"),
    ("subscribe", "subscribe", ""),
    ("subscribe: DHO", "subscribe", ": DHO"),
    ("  ABONNER   RP-005", "abonner", "   RP-005"),
    ("abonnerer DHO", "abonner", None),
    ("avslutt DHO", "avslutt abonnement", None),
])
def test_text_after_keeps_the_argument_as_written(text: str, phrase: str,
                                                  rest: str | None) -> None:
    trigger = Trigger(phrase, frozenset({Written.NB}), Match.PREFIX)
    assert text_after(text, trigger) == rest


def test_the_one_message_status_update_takes_its_keywords_from_the_table() -> None:
    for trigger in BY_NAME[CommandName.POST_STATUS].triggers:
        draft = parse_status_update(f"{trigger.phrase} DHO: grønn – alt går etter planen")
        assert draft is not None and draft.project_mention == "DHO", trigger.phrase
        assert draft.summary == "alt går etter planen"
        if trigger.language is not None:
            assert draft.language is trigger.language, trigger.phrase


def test_the_help_text_lists_the_tables_commands() -> None:
    for language in Language:
        text = render(Help(language, ("Hvem eier Nordlys?",)))
        for command in COMMANDS:
            if command.menu is not None:
                assert f"- {command.menu.title[language]} – {command.menu.description[language]}" \
                    in text.splitlines()

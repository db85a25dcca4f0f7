"""Every chat command and the words that start it, in bokmål, nynorsk and English: one table.

`COMMANDS` lists each command with its triggers and, for the commands people should know
about, a menu entry (a title and a description in bokmål and English). Everything that needs
command words reads them here: the router (`bot.handlers.router`) sends a message to the
command its words match, the parsers of subscription commands and one-message status updates
take their leading words from here, the guided status dialog its cancel and confirm words,
and the help text (`knowledge.answers.phrases.command_help`) and the Teams command menu
(`bot.teams_app.package`) are written from the menu entries.

How a trigger matches. A message and a phrase are compared as folded word tokens
(`knowledge.language.text.tokens`): case, accents, æ/ø/å and punctuation make no difference
(`Avbryt!` is `avbryt`, `av-abonner` is `av abonner`).

- WHOLE: the message is the phrase and nothing else: `avbryt`, `mine prosjekter`.
- PREFIX: the message starts with the phrase, and the words after it (at least `min_rest` of
  them) are the command's argument: `avslutt abonnement` + `DHO`. A one-message status update
  names a project and a health after its keyword, so its `min_rest` is 2: `status DHO: grønn`.

No message matches two commands. Two triggers overlap when some message matches both
(`overlap`: two WHOLE phrases when they are the same; a WHOLE phrase and a PREFIX when the
phrase is the prefix followed by enough words; two PREFIXes when one starts the other), and
`tests/knowledge/commands/test_command_words.py` checks that no triggers of two different
commands overlap. So `avslutt` alone (WHOLE: cancel the status dialog) and `avslutt abonnement
DHO` (PREFIX: unsubscribe) never compete. A command's own parser may still decline a message
its trigger matched (`status trådløst nett fase 2` is a question, not an update); such a
message is a question.

Pure: no botbuilder, no Teams. Menu placement (which Teams scopes show a command) is the
Teams package's business, not this table's.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from knowledge.answers.answers import Language
from knowledge.language.text import tokens
from knowledge.portfolio.status_rules import UNDO_WINDOW_MINUTES


class Written(enum.StrEnum):
    """The language a trigger phrase is written in."""

    NB = "nb"   # bokmål
    NN = "nn"   # nynorsk (answered in bokmål)
    EN = "en"


class Match(enum.StrEnum):
    WHOLE = "whole"     # the message is the phrase
    PREFIX = "prefix"   # the message starts with the phrase; the rest is the argument


class CommandName(enum.StrEnum):
    HELP = "help"
    ASK_OWNER = "ask_owner"
    ASK_MANAGER = "ask_manager"
    ASK_STATUS = "ask_status"
    ASK_RED = "ask_red"
    MY_PROJECTS = "my_projects"
    START_STATUS_DIALOG = "start_status_dialog"
    POST_STATUS = "post_status"
    STATUS_FORM = "status_form"
    UNDO = "undo"
    CANCEL = "cancel"
    CONFIRM = "confirm"
    DECLINE = "decline"
    SUBSCRIBE = "subscribe"
    LIST_SUBSCRIPTIONS = "list_subscriptions"
    UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True, slots=True)
class Trigger:
    """One phrase that starts a command, the languages it is written in, and how it matches."""

    phrase: str
    languages: frozenset[Written]
    match: Match
    min_rest: int = 0
    words: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tokens(self.phrase))
        if not self.words:
            raise ValueError(f"a trigger needs words: {self.phrase!r}")
        if self.match is Match.WHOLE and self.min_rest:
            raise ValueError(f"a whole-message trigger takes no argument: {self.phrase!r}")

    def matches(self, words: tuple[str, ...]) -> bool:
        """Whether a message with these tokens matches this trigger."""
        if self.match is Match.WHOLE:
            return words == self.words
        size = len(self.words)
        return len(words) >= size + self.min_rest and words[:size] == self.words

    @property
    def language(self) -> Language | None:
        """The language to answer in: None when the phrase is English and Norwegian both."""
        if self.languages == {Written.EN}:
            return Language.EN
        return None if Written.EN in self.languages else Language.NB


def overlap(a: Trigger, b: Trigger) -> bool:
    """Whether some message matches both `a` and `b`."""
    if a.match is Match.WHOLE:
        return b.matches(a.words)
    if b.match is Match.WHOLE:
        return a.matches(b.words)
    shorter, longer = sorted((a.words, b.words), key=len)
    return longer[:len(shorter)] == shorter   # a long enough message then starts with both


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """How a command is offered in the help text and the Teams command menu."""

    title: Mapping[Language, str]         # what to write (or how to start it)
    description: Mapping[Language, str]


@dataclass(frozen=True, slots=True)
class Command:
    name: CommandName
    triggers: tuple[Trigger, ...] = ()   # none: a question the answerer understands
    menu: MenuEntry | None = None


def phrases(*parts: str) -> tuple[str, ...]:
    """Every phrase made of one choice from each `|`-separated part, in order; an empty
    choice leaves its part out: `phrases("vis|", "abonnementer")` is `vis abonnementer`,
    `abonnementer`."""
    found = [""]
    for part in parts:
        found = [f"{start} {choice}" for start in found for choice in part.split("|")]
    return tuple(dict.fromkeys(" ".join(phrase.split()) for phrase in found))


def _triggers(match: Match, *, nb: Iterable[str] = (), nn: Iterable[str] = (),
              en: Iterable[str] = (), min_rest: int = 0) -> tuple[Trigger, ...]:
    """The triggers of one command; a phrase written the same in several languages is one
    trigger in all of them."""
    languages: dict[str, set[Written]] = {}
    for written, listed in ((Written.NB, nb), (Written.NN, nn), (Written.EN, en)):
        for phrase in listed:
            languages.setdefault(phrase, set()).add(written)
    return tuple(Trigger(phrase, frozenset(found), match, min_rest)
                 for phrase, found in languages.items())


def _menu(en: tuple[str, str], nb: tuple[str, str], nn: tuple[str, str]) -> MenuEntry:
    return MenuEntry({Language.EN: en[0], Language.NB: nb[0], Language.NN: nn[0]},
                     {Language.EN: en[1], Language.NB: nb[1], Language.NN: nn[1]})


WHOLE, PREFIX = Match.WHOLE, Match.PREFIX
_STATUS_KEYWORDS_NO = ("status", "statusoppdatering", "statusrapport", "oppdater status",
                       "oppdater statusen")

# The table, in menu order: the help text and the Teams menu list the commands as here.
COMMANDS: tuple[Command, ...] = (
    Command(CommandName.HELP, _triggers(
        WHOLE, nb=("hjelp", "meny", "kommandoer"), nn=("hjelp", "meny", "kommandoar"),
        en=("help", "menu", "commands")),
        _menu(("help", "What I can answer, with example questions"),
              ("hjelp", "Hva jeg kan svare på, med eksempler på spørsmål"),
              ("hjelp", "Kva eg kan svare på, med døme på spørsmål"))),
    Command(CommandName.ASK_OWNER, menu=_menu(
        ("who owns", "Who owns a project: who owns <project name or code>"),
        ("hvem eier", "Hvem som eier et prosjekt: hvem eier <prosjektnavn eller -kode>"),
        ("kven eig", "Kven som eig eit prosjekt: kven eig <prosjektnamn eller -kode>"))),
    Command(CommandName.ASK_MANAGER, menu=_menu(
        ("who leads", "Who manages a project: who leads <project>"),
        ("hvem leder", "Hvem som leder et prosjekt: hvem leder <prosjekt>"),
        ("kven leier", "Kven som leier eit prosjekt: kven leier <prosjekt>"))),
    Command(CommandName.ASK_STATUS, menu=_menu(
        ("status", "The latest status report of a project: status <project>"),
        ("status", "Siste statusrapport for et prosjekt: status <prosjekt>"),
        ("status", "Siste statusrapport for eit prosjekt: status <prosjekt>"))),
    Command(CommandName.ASK_RED, menu=_menu(
        ("which projects are red",
         "Projects with red status; ask the same for yellow, green, paused or transferred"),
        ("hvilke prosjekter er røde",
         "Prosjekter med rød status; spør likedan om gule, grønne, pausede eller overførte"),
        ("kva prosjekt er raude",
         "Prosjekt med raud status; spør likeins om gule, grøne, pausa eller overførte"))),
    Command(CommandName.MY_PROJECTS, _triggers(
        WHOLE, nb=("mine prosjekter", "mine"), nn=("mine prosjekt", "mine"),
        en=("my projects",)),
        _menu(("my projects", "The projects you own or lead, with their latest status"),
              ("mine prosjekter", "Prosjektene du eier eller leder, med siste status"),
              ("mine prosjekt", "Prosjekta du eig eller leier, med siste status"))),
    Command(CommandName.START_STATUS_DIALOG, _triggers(
        WHOLE, nb=("oppdater status", "ny status", "statusoppdatering"),
        nn=("oppdater status", "ny status", "statusoppdatering"),
        en=("update status", "new status", "status update")),
        _menu(("update status", "Report the status of a project you lead, step by step; or in "
                                "one message: status <project>: green - summary"),
              ("oppdater status", "Rapporter status for et prosjekt du leder, steg for steg; "
                                  "eller i én melding: status <prosjekt>: grønn - oppsummering"),
              ("oppdater status", "Rapporter status for eit prosjekt du leier, steg for steg; "
                                  "eller i éi melding: status <prosjekt>: grøn - oppsummering"))),
    # `status <project>: <health> – <summary>`: a project and a health after the keyword.
    Command(CommandName.POST_STATUS, _triggers(
        PREFIX, nb=_STATUS_KEYWORDS_NO, nn=_STATUS_KEYWORDS_NO,
        en=("status", "status update", "statusupdate", "update status", "update the status"),
        min_rest=2)),
    Command(CommandName.STATUS_FORM, _triggers(
        WHOLE, nb=("statusskjema", "statusskjemaet", "skjema"),
        nn=("statusskjema", "statusskjemaet", "skjema"), en=("status form", "form")),
        _menu(("status form", "A form to report the status of a project you lead in one click"),
              ("statusskjema", "Et skjema for å rapportere status for et prosjekt du leder, "
                               "med ett klikk"),
              ("statusskjema", "Eit skjema for å rapportere status for eit prosjekt du leier, "
                               "med eitt klikk"))),
    Command(CommandName.UNDO, _triggers(
        WHOLE, nb=("angre", "angre status"), nn=("angre", "angre status"),
        en=("undo", "undo status")),
        _menu(("undo", "Withdraw your own status update from the last "
                       f"{UNDO_WINDOW_MINUTES} minutes"),
              ("angre", "Trekk tilbake din egen statusoppdatering fra de siste "
                        f"{UNDO_WINDOW_MINUTES} minuttene"),
              ("angre", "Trekk tilbake di eiga statusoppdatering frå dei siste "
                        f"{UNDO_WINDOW_MINUTES} minutta"))),
    # The guided status update's own words: they act only while it runs.
    Command(CommandName.CANCEL, _triggers(
        WHOLE, nb=("avbryt", "avbryt det", "avbryt dette", "avbryt alt", "avbryt takk", "stopp",
                   "stopp det", "avslutt"),
        nn=("avbryt", "avbryt det", "avbryt dette", "avbryt alt", "stopp", "avslutt"),
        en=("cancel", "cancel it", "cancel this", "cancel that", "cancel please", "stop",
            "stop it", "quit")),
        _menu(("cancel", "Leave a step-by-step status update at any step; nothing is stored"),
              ("avbryt", "Avbryt en statusoppdatering steg for steg; ingenting blir lagret"),
              ("avbryt", "Avbryt ei statusoppdatering steg for steg; ingenting blir lagra"))),
    Command(CommandName.CONFIRM, _triggers(
        WHOLE, nb=("lagre", "ja", "ok", "send"), nn=("lagre", "lagra", "ja", "ok", "send"),
        en=("save", "yes", "ok", "send"))),
    Command(CommandName.DECLINE, _triggers(WHOLE, nb=("nei",), nn=("nei",), en=("no",))),
    Command(CommandName.SUBSCRIBE, _triggers(
        PREFIX, nb=phrases("abonner|abonnere", "|kanalen"),
        nn=phrases("abonner|abonnere|abonnera", "|kanalen"),
        en=phrases("subscribe", "|us|channel|this channel")),
        _menu(("subscribe",
               "Get changes posted here: subscribe <project, programme or all> [only status]"),
              ("abonner",
               "Få endringer postet her: abonner <prosjekt, program eller alle> [kun status]"),
              ("abonner",
               "Få endringar posta her: abonner <prosjekt, program eller alle> [berre status]"))),
    Command(CommandName.LIST_SUBSCRIPTIONS, _triggers(
        WHOLE,
        nb=phrases("vis|list|list opp|", "mine|våre|kanalens|alle|",
                   "abonnement|abonnementer|abonnementene")
        + phrases("hvilke", "abonnement|abonnementer", "har", "vi|kanalen|jeg|denne kanalen"),
        nn=phrases("vis|list|list opp|", "mine|våre|kanalen sine|alle|", "abonnement|abonnementa")
        + phrases("kva|kva for", "abonnement", "har", "vi|kanalen|eg|denne kanalen"),
        en=phrases("show|list|", "my|our|the|all|channel|this channel's|",
                   "subscription|subscriptions")
        + phrases("what|which", "are|", "our|my|the|", "subscriptions", "|do we have|do i have")),
        _menu(("subscriptions", "What this chat or channel subscribes to"),
              ("abonnementer", "Hva denne chatten eller kanalen abonnerer på"),
              ("abonnement", "Kva denne chatten eller kanalen abonnerer på"))),
    Command(CommandName.UNSUBSCRIBE, _triggers(
        PREFIX,
        nb=phrases("avslutt|stopp|slett|fjern|si opp", "|alle",
                   "abonnement|abonnementet|abonnementene|abonnementer")
        + phrases("avabonner|avabonnere|av-abonner|av-abonnere"),
        nn=phrases("avslutt|stopp|slett|fjern|sei opp|si opp", "|alle",
                   "abonnement|abonnementet|abonnementa")
        + phrases("avabonner|avabonnere|av-abonner|av-abonnere"),
        en=phrases("unsubscribe") + phrases("cancel|stop|remove|delete|end", "|all", "|the|our",
                                            "subscription|subscriptions")),
        _menu(("unsubscribe", "Stop changes: unsubscribe <project> or unsubscribe all"),
              ("avslutt abonnement",
               "Stopp endringer: avslutt abonnement <prosjekt> eller avslutt alle abonnementer"),
              ("avslutt abonnement",
               "Stopp endringar: avslutt abonnement <prosjekt> eller avslutt alle abonnement"))),
)
BY_NAME: Mapping[CommandName, Command] = {command.name: command for command in COMMANDS}


@dataclass(frozen=True, slots=True)
class CommandMatch:
    """The command a message is for, the trigger that matched, and the message's tokens."""

    command: Command
    trigger: Trigger
    words: tuple[str, ...]

    @property
    def name(self) -> CommandName:
        return self.command.name

    @property
    def language(self) -> Language | None:
        return self.trigger.language


def _index() -> tuple[dict[tuple[str, ...], tuple[Command, Trigger]],
                      dict[str, list[tuple[Command, Trigger]]]]:
    whole: dict[tuple[str, ...], tuple[Command, Trigger]] = {}
    prefixes: dict[str, list[tuple[Command, Trigger]]] = {}
    for command in COMMANDS:
        for trigger in command.triggers:
            if trigger.match is Match.WHOLE:
                whole.setdefault(trigger.words, (command, trigger))
            else:
                prefixes.setdefault(trigger.words[0], []).append((command, trigger))
    for found in prefixes.values():   # the longest phrase first: it leaves the argument
        found.sort(key=lambda pair: -len(pair[1].words))
    return whole, prefixes


_WHOLE, _PREFIXES = _index()


def command_for(text: str) -> CommandMatch | None:
    """The command `text` is for, by the table's words; None when it is for none."""
    words = tokens(text)
    if not words:
        return None
    found = _WHOLE.get(words)
    if found is not None:
        return CommandMatch(found[0], found[1], words)
    for command, trigger in _PREFIXES.get(words[0], ()):
        if trigger.matches(words):
            return CommandMatch(command, trigger, words)
    return None


def is_command(text: str, *names: CommandName) -> bool:
    """Whether `text` is one of the commands `names`."""
    found = command_for(text)
    return found is not None and found.name in names


_WRITTEN_WORD = re.compile(r"[^\W_]+")


def text_after(text: str, trigger: Trigger) -> str | None:
    """`text` as written after the words of `trigger` (the argument, with its own spacing
    and punctuation), or None when `text` does not start with them."""
    for word in _WRITTEN_WORD.finditer(text):
        head = tokens(text[:word.end()])
        if len(head) >= len(trigger.words):
            return text[word.end():] if head == trigger.words else None
    return None

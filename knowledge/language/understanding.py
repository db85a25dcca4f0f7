"""Reading a question: its language, its tokens, and the cue and filter words it contains.

This step knows no portfolio: it says what kind of question it could be (`cues`), which list
filters it names, and which tokens are left to be matched against names. The answerer then
finds the names and settles the intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.answers.answers import Intent, Language, TransferFocus
from knowledge.language.dates import DateCondition, DateField, date_conditions
from knowledge.language.lexicon import lexicon
from knowledge.language.text import display_words, fold, tokens
from knowledge.language.vocabulary import (
    BEFORE_WORDS,
    BOKMAL_TOO,
    COMPLETED_WORDS,
    COUNT_PHRASES,
    COURTESY_FILLER,
    ENGLISH_MARKERS,
    GREETINGS,
    HEALTH_WORDS,
    HELP_PHRASES,
    HELP_WORDS,
    LACKING_WORDS,
    LIST_WORDS,
    MANAGER_WORDS,
    NEGATION_WORDS,
    NORWEGIAN_LETTERS,
    NORWEGIAN_MARKERS,
    NOT_REPORTED,
    OVERVIEW_WORDS,
    OWNER_WORDS,
    PEOPLE_WORDS,
    PHASE_WORDS,
    PLURAL_PROJECT_WORDS,
    PORTFOLIO_WORDS,
    PROGRAMME_WORDS,
    REPORT_NOUNS,
    STATUS_WORDS,
    STOPWORDS,
    SUMMARY_WORDS,
    THANKS,
    TRANSFER_IN_PROGRESS_WORDS,
    TRANSFER_STATUS_WORDS,
    TRANSFER_WORDS,
    TYPO_CUES,
    WHEN_WORDS,
    WHERE_WORDS,
)
from knowledge.portfolio.model import Health, Phase, Role, TransferStatus

MAX_QUESTION_CHARACTERS = 2000
MAX_TOKENS = 60

PLANNED_WORDS = frozenset({"planlagt", "planned"})
_CUE_WORDS: tuple[tuple[frozenset[str], Intent], ...] = (
    (OWNER_WORDS, Intent.OWNER),
    (MANAGER_WORDS, Intent.MANAGER),
    (PEOPLE_WORDS, Intent.PEOPLE),
    (STATUS_WORDS, Intent.STATUS),
    (TRANSFER_WORDS, Intent.TRANSFER),
    (OVERVIEW_WORDS, Intent.OVERVIEW),
    (PORTFOLIO_WORDS | SUMMARY_WORDS, Intent.SUMMARY),   # not names: "the portfolio"
    (PROGRAMME_WORDS, Intent.PROGRAMME),
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


@dataclass(frozen=True)
class Question:
    """What a question says before any name is looked up."""

    text: str
    tokens: tuple[str, ...]
    language: Language
    cues: dict[int, Intent] = field(default_factory=dict)   # token position → cue
    list_cue: bool = False
    count_cue: bool = False
    plural_projects: bool = False
    help_cue: bool = False
    only_greeting: bool = False
    only_thanks: bool = False
    transfer_focus: TransferFocus = TransferFocus.STATUS
    health: frozenset[Health] = frozenset()
    phases: frozenset[Phase] = frozenset()
    transfer_statuses: frozenset[TransferStatus] = frozenset()
    filter_positions: frozenset[int] = frozenset()
    emails: tuple[str, ...] = ()
    asks_who: bool = False
    shown: tuple[str, ...] = ()    # the tokens as the user wrote them, for quoting back
    dates: tuple[DateCondition, ...] = ()
    no_report: bool = False

    def cue_intents(self, excluding: frozenset[int] = frozenset()) -> set[Intent]:
        return {intent for pos, intent in self.cues.items() if pos not in excluding}

    @property
    def has_filters(self) -> bool:
        return bool(self.health or self.phases or self.transfer_statuses or self.dates
                    or self.no_report)

    def role_filter(self, excluding: frozenset[int] = frozenset()) -> Role | None:
        intents = self.cue_intents(excluding)
        if intents & {Intent.OWNER} and not intents & {Intent.MANAGER}:
            return Role.OWNER
        if intents & {Intent.MANAGER} and not intents & {Intent.OWNER}:
            return Role.MANAGER
        return None


def detect_language(text: str, words: tuple[str, ...]) -> Language:
    """Nynorsk when a word only nynorsk uses is there; English when English marker words
    clearly outnumber Norwegian ones; bokmål otherwise."""
    if any(w in _nynorsk_markers() for w in words):
        return Language.NN
    english = sum(1 for w in words if w in ENGLISH_MARKERS)
    norwegian = sum(1 for w in words if w in NORWEGIAN_MARKERS)
    # æ, ø and å in a word that is not capitalised: Norwegian (names may hold them anyway),
    # unless the sentence is plainly English around it ("Who leads the ernæring project?").
    if any(ch in NORWEGIAN_LETTERS for word in text.split() if word[:1].islower()
           for ch in word) and not (english >= 2 and english > 2 * norwegian):
        return Language.NB
    return Language.EN if english > norwegian else Language.NB


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))


KNOWN_WORDS = (STOPWORDS | GREETINGS | THANKS | COURTESY_FILLER | HELP_WORDS | LIST_WORDS
                | frozenset(HEALTH_WORDS) | frozenset(PHASE_WORDS)
                | frozenset(TRANSFER_STATUS_WORDS) | OWNER_WORDS | MANAGER_WORDS | PEOPLE_WORDS
                | STATUS_WORDS | TRANSFER_WORDS | OVERVIEW_WORDS | LACKING_WORDS | REPORT_NOUNS
                | NOT_REPORTED)
_PHASE_SUFFIXES = ("fasen", "fase", "phase", "stage")


def _normalise_word(word: str) -> str:
    """Phase compounds to their phase word (`planleggingsfasen` → `planlegging`), and typos
    of the few cue words that decide a question (`statsu` → `status`) to the word itself."""
    for suffix in _PHASE_SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            base = word[: -len(suffix)]
            for candidate in (base, base.rstrip("s")):
                if candidate in PHASE_WORDS:
                    return candidate
    if len(word) >= 5 and word not in KNOWN_WORDS:
        found = process.extractOne(word, TYPO_CUES, scorer=fuzz.ratio, score_cutoff=80)
        if found is not None and abs(len(str(found[0])) - len(word)) <= 2 and (
                len(word) >= 6 or found[1] >= 90):
            return str(found[0])
    return word


def _bokmal(word: str) -> str:
    """A nynorsk word as the bokmål word the grammar knows (`kven` → `hvem`)."""
    return lexicon().bokmal(word)


@lru_cache(maxsize=1)
def _nynorsk_markers() -> frozenset[str]:
    """Words only nynorsk uses: the lexicon's nynorsk words but those bokmål shares."""
    return frozenset(lexicon().nynorsk) - BOKMAL_TOO


def understand(text: str, today: date | None = None) -> Question:
    """Read `text` (any string; trimmed and capped) into a `Question`; `today` anchors
    dates like "etter 1. oktober" or "eldre enn 30 dager"."""
    clipped = text[:MAX_QUESTION_CHARACTERS].replace("\x00", " ")
    written = tokens(clipped)[:MAX_TOKENS]
    language = detect_language(clipped, written)
    if language is Language.NN:
        written = tuple(_bokmal(word) for word in written)
    words = tuple(_normalise_word(word) for word in written)
    if language is not Language.NN:
        language = detect_language(clipped, words)
    dates = date_conditions(words, today or date.today())
    date_positions = {p for condition in dates for p in condition.positions}
    reported_when = any(condition.field is DateField.REPORT for condition in dates)
    no_report_positions = _no_report(words, date_positions, reported_when)
    cues: dict[int, Intent] = {}
    for position, word in enumerate(words):
        for cue_words, intent in _CUE_WORDS:
            if word in cue_words:
                cues[position] = intent
                break
    health: set[Health] = set()
    phases: set[Phase] = set()
    transfers: set[TransferStatus] = set()
    filter_positions: set[int] = set()
    transfer_context = any(w in TRANSFER_WORDS for w in words)
    for position, word in enumerate(words):
        if position in date_positions or position in no_report_positions:
            filter_positions.add(position)
            continue
        negated = position > 0 and words[position - 1] in NEGATION_WORDS
        if word in HEALTH_WORDS:
            health.add(HEALTH_WORDS[word])
            filter_positions.add(position)
        elif word in TRANSFER_STATUS_WORDS and (transfer_context or word not in PLANNED_WORDS):
            if negated:
                transfers.add(TransferStatus.NOT_TRANSFERRED)
            else:
                transfers |= TRANSFER_STATUS_WORDS[word]
            filter_positions.add(position)
        elif word in TRANSFER_IN_PROGRESS_WORDS and transfer_context:
            transfers.add(TransferStatus.IN_PROGRESS)
            filter_positions.add(position)
        elif word in COMPLETED_WORDS and _before_transfer(words, position):
            transfers.add(TransferStatus.COMPLETED_BEFORE_TRANSFER)
            filter_positions.add(position)
        elif word in PHASE_WORDS:
            phases |= PHASE_WORDS[word]
            filter_positions.add(position)
    where = any(w in ("hvor", "where") for w in words)
    for position, word in enumerate(words):
        gone = word in ("go", "went", "gone") or (word == "av" and "ble" in words[:position])
        if where and gone:
            cues[position] = Intent.TRANSFER
    focus = TransferFocus.STATUS
    if any(w in WHEN_WORDS for w in words):
        focus = TransferFocus.WHEN
    elif any(w in WHERE_WORDS and w != "hvem" for w in words) or _has_phrase(
        words, ("hvem", "overtok")
    ):
        focus = TransferFocus.WHERE
    return Question(
        text=clipped,
        tokens=words,
        language=language,
        cues=cues,
        list_cue=any(w in LIST_WORDS for w in words) or (
            language is Language.NN and (_has_phrase(words, ("hva", "prosjekt"))
                                         or _has_phrase(words, ("hva", "for")))),
        count_cue=any(_has_phrase(words, phrase) for phrase in COUNT_PHRASES),
        plural_projects=any(w in PLURAL_PROJECT_WORDS or w.endswith("prosjekter")
                            or w.endswith("projects") for w in words) or (
            language is Language.NN and "prosjekt" in words and (
                any(w in LIST_WORDS for w in words) or _has_phrase(words, ("hva", "for"))
                or _has_phrase(words, ("hva", "prosjekt"))
                or any(_has_phrase(words, phrase) for phrase in COUNT_PHRASES))),
        help_cue=any(w in HELP_WORDS for w in words)
        or any(_has_phrase(words, phrase) for phrase in HELP_PHRASES),
        only_greeting=_only_courtesy(words) and any(w in GREETINGS for w in words)
        and not any(w in THANKS for w in words),
        only_thanks=_only_courtesy(words) and any(w in THANKS for w in words),
        transfer_focus=focus,
        health=frozenset(health),
        phases=frozenset(phases),
        transfer_statuses=frozenset(transfers),
        filter_positions=frozenset(filter_positions),
        emails=tuple(fold(e) for e in _EMAIL.findall(clipped)),
        asks_who=any(w in ("hvem", "who", "whom", "whos") for w in words),
        shown=_shown(clipped, words),
        dates=dates,
        no_report=bool(no_report_positions),
    )


def _no_report(words: tuple[str, ...], date_positions: set[int],
               reported_when: bool) -> set[int]:
    """Positions of "mangler statusrapport", "uten rapport", "not reported" (no date: with
    one, "har ikke rapportert etter 1. oktober" is a negated date condition instead)."""
    found: set[int] = set()
    for position, word in enumerate(words):
        if position in date_positions:
            continue
        if word in LACKING_WORDS:
            following = [p for p in range(position + 1, min(position + 4, len(words)))
                         if words[p] in REPORT_NOUNS]
            if following:
                found |= {position, following[0]}
        elif word in NOT_REPORTED and not reported_when and any(
                w in NEGATION_WORDS for w in words[max(0, position - 3): position]):
            found |= {position} | {p for p in range(max(0, position - 3), position)
                                   if words[p] in NEGATION_WORDS}
    return found


def _only_courtesy(words: tuple[str, ...]) -> bool:
    return bool(words) and all(
        w in GREETINGS or w in THANKS or w in STOPWORDS or w in COURTESY_FILLER for w in words)


def _before_transfer(words: tuple[str, ...], position: int) -> bool:
    """`completed before the transfer`: a completion word, then `before`, then a transfer word."""
    following = words[position + 1 : position + 4]
    return any(w in BEFORE_WORDS for w in following[:2]) and any(
        w in TRANSFER_WORDS for w in following)


def _shown(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    written = display_words(text)[:MAX_TOKENS]
    return written if len(written) == len(words) else words

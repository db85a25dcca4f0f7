"""Follow-ups: a question read against what the bot last answered the same person.

`read_follow_up` takes the question's own reading (`knowledge.answers.query_reading`) and the
person's `Memory`, and returns the query the question means in that context, or None when
it is a question of its own:

- a pick from the last clarification: "2", "nummer to", "den første", "the second one", or
  a name that is one of the candidates;
- more of the last list: "vis flere" / "more" (the next 10), "vis alle" / "show all";
- a correction: "nei, jeg mente fase I" asks the last question about the new subject;
- the same question about a new subject: "hva med telekomplattformen?", "what about …";
- a narrower list: after a list, "og de røde?", "only the ones Ola Hansen leads";
- a question with no subject of its own ("og hvem leder det?", "when does it end?") about
  the last subject.

A question that names its own subject and has no follow-up words is never changed.
"""

from __future__ import annotations

from dataclasses import replace

from knowledge.answers.answers import Intent, Language
from knowledge.answers.conversation import Memory
from knowledge.answers.query_reading import Choose, Missing, Reading
from knowledge.language.name_index import EntityKind
from knowledge.language.query import Ask, Filters, Query
from knowledge.language.understanding import Question
from knowledge.language.vocabulary import CORRECTIONS, ENGLISH_MARKERS, NEW_SUBJECT_LEADS

PAGE = 10
ALL_AT_MOST = 60    # "vis alle": what one card holds within Teams' 28 KB message (tested)

ORDINALS = {
    "1": 1, "en": 1, "ett": 1, "ein": 1, "eitt": 1, "one": 1, "forste": 1, "first": 1,
    "2": 2, "to": 2, "two": 2, "andre": 2, "second": 2,
    "3": 3, "tre": 3, "three": 3, "tredje": 3, "third": 3,
    "4": 4, "fire": 4, "four": 4, "fjerde": 4, "fourth": 4,
    "5": 5, "fem": 5, "five": 5, "femte": 5, "fifth": 5,
}
PICK_FILLER = frozenset({"nummer", "nr", "number", "no", "den", "det", "the", "one", "alternativ",
                         "option", "choice", "valg", "jeg", "eg", "i", "mener", "meiner", "mean",
                         "vil", "ha", "want", "take", "tar", "please", "takk", "ok", "siste",
                         "last"})
MORE_WORDS = frozenset({"flere", "fleire", "fler", "more", "neste", "next", "resten", "rest",
                        "videre", "fortsett", "continue"})
ALL_WORDS = frozenset({"alle", "all", "hele", "heile", "whole", "full"})
NARROWING_WORDS = frozenset({"bare", "berre", "kun", "only", "just", "de", "dei", "them",
                             "those", "ones", "av", "dem", "disse", "these", "og", "and"})
PRONOUNS = frozenset({"det", "den", "dette", "denne", "dens", "dets", "it", "its", "this",
                      "that", "han", "hun", "ho", "he", "she", "him", "his", "her", "hennes",
                      "hans", "de", "dem", "dei", "they", "them", "their", "deres"})


def read_follow_up(q: Question, reading: Reading, memory: Memory | None,
                   fact: Intent, filters: Filters, named: bool) -> Reading | None:
    """The query `q` asks given `memory`, or None to keep the question's own `reading`.

    `fact` is what the question asks about a subject (from its cue words), `filters` its own
    list filters, `named` whether it names a subject or filter of its own.
    """
    if memory is None:
        return None
    words = q.tokens
    if memory.choices is not None:
        picked = _pick(words, memory, reading)
        if picked is not None:
            return picked
    last = memory.query
    if last is None:
        return None
    if last.ask in (Ask.LIST, Ask.COUNT) and _asks_more(words):
        shown = memory.shown if last.ask is Ask.LIST else 0
        limit = ALL_AT_MOST if any(w in ALL_WORDS for w in words) else PAGE
        return replace(last, ask=Ask.LIST, offset=shown, limit=limit)
    correction = _starts_with(words, CORRECTIONS)
    new_subject = correction or _starts_with(words, NEW_SUBJECT_LEADS)
    if (isinstance(reading, Query) and reading.subject_kind is not None and new_subject
            and last.ask is Ask.FACT and (correction or fact is Intent.OVERVIEW)):
        return replace(last, subject_kind=reading.subject_kind,
                       subject_id=reading.subject_id, by_topic=reading.by_topic)
    if isinstance(reading, Choose) and new_subject and last.ask is Ask.FACT and (
            correction or fact is Intent.OVERVIEW):
        return replace(reading, intent=last.fact)
    if last.ask in (Ask.LIST, Ask.COUNT) and _narrows(words, reading, filters):
        return replace(last, filters=_merged(last.filters, filters), offset=0,
                       limit=PAGE)
    person_list = _person_filters(last)
    if person_list is not None and _narrows(words, reading, filters) and not named:
        # "Hvilke prosjekter eier X?", then "bare de grønne": X's projects, narrowed.
        return Query(Ask.LIST, Intent.LIST, filters=_merged(person_list, filters))
    asks_about_it = fact is not Intent.OVERVIEW or any(w in PRONOUNS for w in words) or (
        new_subject)
    # Not a Missing reading: "hvem eier marsferd?" names something, only not one we hold.
    unsubjected = reading is None or (
        isinstance(reading, Query) and reading.subject_kind is None and reading.ask is Ask.FACT)
    if last.subject_kind is not None and not named and asks_about_it and unsubjected:
        asked = fact if fact is not Intent.OVERVIEW else last.fact
        if last.subject_kind is EntityKind.PERSON and asked in _PROJECT_ONLY:
            return None
        return Query(Ask.FACT, asked, last.subject_kind, last.subject_id)
    return None


_MARKED = (frozenset({"hvem", "hva", "hvilke", "hvilket", "hvilken", "hvordan", "hvorfor", "ikke",
                      "jeg", "meg", "ble", "nar", "hvor", "kven", "kva", "korleis", "ikkje",
                      "eg", "vart"}) | ENGLISH_MARKERS) - frozenset({"status", "og", "i"})
_PROJECT_ONLY = frozenset({Intent.STATUS, Intent.TRANSFER, Intent.DESCRIPTION, Intent.PROGRAMME,
                           Intent.START, Intent.PLANNED_END, Intent.HISTORY})


def _person_filters(last: Query) -> Filters | None:
    """A question about a person's projects as the list filters it amounts to."""
    if last.ask is not Ask.FACT or last.subject_kind is not EntityKind.PERSON:
        return None
    if last.fact is Intent.OWNER:
        return Filters(owner_id=last.subject_id)
    if last.fact is Intent.MANAGER:
        return Filters(manager_id=last.subject_id)
    return Filters(person_id=last.subject_id)


def language_marked(q: Question) -> bool:
    """The question's own words say its language: nynorsk or English words, or bokmål words
    nynorsk does not share ("hvem", "ikke"); "more", "og status?" and "2" do not."""
    return any(w in _MARKED for w in q.tokens) or (q.language is Language.NN and any(
        w in q.tokens for w in ("kven", "kva", "korleis", "ikkje", "eg")))


def _pick(words: tuple[str, ...], memory: Memory, reading: Reading) -> Reading | None:
    """The candidate a reply to a clarification picks: by its number or by its name."""
    choices = memory.choices
    assert choices is not None
    content = [w for w in words if w not in PICK_FILLER]
    if words and words[-1] in ("siste", "last") and not content:
        index = len(choices.ids)
    elif len(content) == 1 and content[0] in ORDINALS:
        index = ORDINALS[content[0]]
    else:
        index = 0
    if 1 <= index <= len(choices.ids):
        return Query(Ask.FACT, choices.intent, choices.kind, choices.ids[index - 1])
    if isinstance(reading, Query) and reading.subject_kind is choices.kind and (
            reading.subject_id in choices.ids):
        return Query(Ask.FACT, choices.intent, choices.kind, reading.subject_id)
    if isinstance(reading, Choose) and reading.kind is choices.kind:
        among = [i for i in reading.ids if i in choices.ids]
        if len(among) == 1:
            return Query(Ask.FACT, choices.intent, choices.kind, among[0])
    return None


def _asks_more(words: tuple[str, ...]) -> bool:
    """"vis flere", "more", "neste", "vis alle", "show all" (and little else)."""
    if not words or len(words) > 5:
        return False
    rest = [w for w in words if w not in MORE_WORDS and w not in ALL_WORDS and w not in (
        "vis", "show", "gi", "give", "me", "meg", "please", "takk", "prosjekter", "prosjekta",
        "projects", "de", "dei", "the", "ones", "som", "er", "igjen", "og", "and", "sida",
        "siden", "page")]
    return not rest and any(w in MORE_WORDS or w in ALL_WORDS for w in words)


def _starts_with(words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return any(words[: len(phrase)] == phrase for phrase in phrases)


def _narrows(words: tuple[str, ...], reading: Reading, filters: Filters) -> bool:
    """A short message with filters of its own and a word that points back at the list."""
    if filters.is_empty() or len(words) > 10:
        return False
    if isinstance(reading, Query) and reading.ask in (Ask.LIST, Ask.COUNT) and (
            not any(w in NARROWING_WORDS for w in words[:2])):
        return False   # a list question of its own ("Hvilke prosjekter er røde?")
    return any(w in NARROWING_WORDS for w in words) or reading is None


def _merged(last: Filters, new: Filters) -> Filters:
    """The last list's filters with the new ones added (a new value of a kind replaces)."""
    return Filters(
        new.health or last.health, new.phases or last.phases, new.transfer or last.transfer,
        new.owner_id if new.owner_id is not None else last.owner_id,
        new.manager_id if new.manager_id is not None else last.manager_id,
        new.person_id if new.person_id is not None else last.person_id,
        new.programme_id if new.programme_id is not None else last.programme_id,
        new.organization_id if new.organization_id is not None else last.organization_id,
        new.transfer_organization_id if new.transfer_organization_id is not None
        else last.transfer_organization_id,
        last.dates + new.dates, last.no_report or new.no_report,
        new.topic or last.topic, new.topic_ids if new.topic_ids is not None else last.topic_ids)


def might_follow_up(q: Question, reading: Reading) -> bool:
    """Whether what was last answered could change this question's answer: it has no subject
    of its own, or words that point back ("og", "det", "hva med", "vis flere", "2"). A caller
    looks up the person's memory only then."""
    words = q.tokens
    if not words or q.only_greeting or q.only_thanks:
        return False
    if reading is None or isinstance(reading, Missing | Choose) or len(words) <= 3:
        return True   # a short reply or one that fits several may answer a clarification
    if isinstance(reading, Query) and reading.ask is Ask.FACT and reading.subject_kind is None:
        return True
    return (_starts_with(words, CORRECTIONS) or _starts_with(words, NEW_SUBJECT_LEADS)
            or _asks_more(words) or any(w in PRONOUNS or w in NARROWING_WORDS for w in words)
            or (len(words) <= 3 and any(w in ORDINALS for w in words)))


def points_back(q: Question) -> bool:
    """The question refers to something said before ("det", "it", "og hvem …", "hva med")
    and asks something about it."""
    words = q.tokens
    return (any(w in PRONOUNS for w in words) or _starts_with(words, NEW_SUBJECT_LEADS)
            or _starts_with(words, CORRECTIONS)) and bool(q.cue_intents() or q.asks_who)

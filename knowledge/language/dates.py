"""Dates in a question: "i 2026", "før 2021", "etter 1. oktober", "in January 2024", "eldre enn
30 dager", read from folded tokens into inclusive date ranges.

`date_conditions(words, today)` finds each date expression, the date field it is about (start,
planned end, transfer or latest report, from the nearest field word before or after it) and
the positions it used, so those words are not taken for names or filters. A month or a day
without a year means the nearest such date not in the future for past-tense fields and this
year otherwise; nothing here knows a portfolio.
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date, timedelta


class DateField(enum.StrEnum):
    START = "start"
    PLANNED_END = "planned_end"
    TRANSFER = "transfer"
    REPORT = "report"


@dataclass(frozen=True, slots=True)
class DateRange:
    """Inclusive bounds; None is open."""

    first: date | None = None
    last: date | None = None

    def holds(self, day: date | None) -> bool:
        if day is None:
            return False
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)


@dataclass(frozen=True, slots=True)
class DateCondition:
    field: DateField
    range: DateRange
    positions: frozenset[int]
    negated: bool = False      # "har ikke rapportert etter …": the opposite holds


MONTHS = {
    "januar": 1, "january": 1, "jan": 1, "februar": 2, "february": 2, "feb": 2, "mars": 3,
    "march": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5, "may": 5, "juni": 6, "june": 6,
    "jun": 6, "juli": 7, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11,
    "nov": 11, "desember": 12, "december": 12, "des": 12, "dec": 12,
}
BEFORE = frozenset({"for", "innen", "before", "prior", "until", "till", "by", "tidligere"})
AFTER = frozenset({"etter", "after", "since", "siden", "sidan", "fra", "from", "fom", "seinare",
                   "senere", "later"})
DURING = frozenset({"i", "in", "during", "under", "pa", "on", "ila", "gjennom"})
FIELD_WORDS: dict[DateField, frozenset[str]] = {
    DateField.START: frozenset({
        "startet", "starta", "start", "starter", "startes", "startdato", "oppstart", "begynte",
        "byrja", "started", "starts", "starting", "begun", "began", "begin", "kick", "kicked"}),
    DateField.PLANNED_END: frozenset({
        "ferdig", "ferdige", "ferdigstilt", "ferdigstilles", "ferdigstillast", "avsluttes",
        "avsluttast", "slutt", "slutter", "sluttdato", "ende", "ender", "end", "ends", "ending",
        "finish", "finishes", "finished", "finishing", "complete", "completed", "completion",
        "due", "deadline", "done", "avslutning", "levert", "leveres", "delivered", "planned",
        "planlagt", "fullfort", "fullfores", "fullforast"}),
    DateField.TRANSFER: frozenset({
        "overfort", "overfores", "overforing", "overforingen", "overforast", "transferred",
        "overforte", "overforde", "overforingene",
        "transfer", "transfers", "moved", "flyttet", "flytta", "overdratt", "handed"}),
    DateField.REPORT: frozenset({
        "rapport", "rapporten", "rapporter", "rapportert", "rapporterte", "statusrapport",
        "statusrapporten", "statusrapporter", "report", "reports", "reported", "reporting",
        "oppdatert", "oppdatering", "updated", "update", "updates", "status", "rapportering"}),
}
AGE_UNITS = {"dag": 1, "dager": 1, "dagar": 1, "dagene": 1, "dagane": 1, "day": 1, "days": 1,
             "uke": 7, "uker": 7, "ukene": 7, "veke": 7, "veker": 7, "vekene": 7, "week": 7,
             "weeks": 7, "maned": 30, "maneder": 30, "manedene": 30, "manad": 30,
             "manader": 30, "manadene": 30, "month": 30, "months": 30}
OLDER = frozenset({"eldre", "older", "over", "mer", "meir", "more"})
NEWER = frozenset({"nyere", "nyare", "newer", "yngre", "younger", "siste", "last", "past",
                   "innenfor", "within"})
NEGATION = frozenset({"ikke", "ikkje", "not", "no", "never", "aldri", "ingen"})
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?$")
_YEAR = re.compile(r"^(19|20)\d\d$")
FIELD_REACH = 6   # how many words from the date expression a field word may stand


def date_conditions(words: tuple[str, ...], today: date) -> tuple[DateCondition, ...]:
    """The date conditions of a question's folded tokens, in the order they are written."""
    found: list[DateCondition] = []
    used: set[int] = set()
    position = 0
    while position < len(words):
        parsed = _expression(words, position, today)
        if parsed is None:
            position += 1
            continue
        span, date_range = parsed
        field, field_position = _field(words, span, used)
        if field is None:
            position = max(span) + 1
            continue
        if field is DateField.REPORT and _in_future(date_range, today) and not _has_year(
                words, span):
            # Reports are in the past: "etter 1. oktober" asked in February means last year's.
            earlier = _expression(words, position, _year_before(today))
            if earlier is not None:
                span, date_range = earlier
        positions = set(span)
        if field_position is not None:
            positions.add(field_position)
        negated = any(words[i] in NEGATION for i in range(max(0, min(span) - 4), min(span)))
        found.append(DateCondition(field, date_range, frozenset(positions), negated))
        used |= positions
        position = max(span) + 1
    return tuple(found)


def _expression(words: tuple[str, ...], at: int, today: date,
                ) -> tuple[list[int], DateRange] | None:
    """A date expression starting at `at` (its preposition included): positions and range."""
    word = words[at]
    if word in OLDER or word in NEWER:
        return _age(words, at, today)
    direction = "during"
    start = at
    if word in BEFORE or word in AFTER or word in DURING:
        direction = "before" if word in BEFORE else "after" if word in AFTER else "during"
        start = at + 1
        if start < len(words) and words[start] in ("the", "of", "den", "det", "enn", "than"):
            start += 1
    moment = _moment(words, start, today)
    if moment is None:
        return None
    span_end, first, last = moment
    span = list(range(at, span_end))
    if direction == "before":
        return span, DateRange(None, first - timedelta(days=1))
    if direction == "after":
        return span, DateRange(last + timedelta(days=1) if words[at] not in (
            "fra", "from", "since", "siden", "sidan", "fom") else first, None)
    if (start == at and span_end - at == 1 and not _YEAR.match(word) and word not in MONTHS
            and not _DMY.match(word)):
        return None   # a bare "12" is not a date
    return span, DateRange(first, last)


def _moment(words: tuple[str, ...], at: int, today: date) -> tuple[int, date, date] | None:
    """A day, month or year at `at`: (position after it, first day, last day)."""
    if at >= len(words):
        return None
    word = words[at]
    match = _DMY.match(word)
    if match:
        day, month = int(match[1]), int(match[2])
        year = _year(match[3], today) if match[3] else today.year
        moment = _day(year, month, day)
        return (at + 1, moment, moment) if moment else None
    if _YEAR.match(word):
        year = int(word)
        following = words[at + 1: at + 3]
        if len(following) == 2 and following[0].isdigit() and following[1].isdigit():
            moment = _day(year, int(following[0]), int(following[1]))   # 2024-01-15
            if moment:
                return at + 3, moment, moment
        return at + 1, date(year, 1, 1), date(year, 12, 31)
    if word.isdigit() and 1 <= int(word) <= 31 and at + 1 < len(words) and words[at + 1] in MONTHS:
        month = MONTHS[words[at + 1]]
        end = at + 2
        year = today.year
        if end < len(words) and _YEAR.match(words[end]):
            year, end = int(words[end]), end + 1
        moment = _day(year, month, int(word))
        return (end, moment, moment) if moment else None
    if word in MONTHS and len(word) >= 3:
        month = MONTHS[word]
        end = at + 1
        if (end + 1 < len(words) and words[end].isdigit() and 1 <= int(words[end]) <= 31
                and _YEAR.match(words[end + 1])):   # January 15 2024
            moment = _day(int(words[end + 1]), month, int(words[end]))
            if moment:
                return end + 2, moment, moment
        year = today.year
        if end < len(words) and _YEAR.match(words[end]):
            year, end = int(words[end]), end + 1
        last_day = calendar.monthrange(year, month)[1]
        return end, date(year, month, 1), date(year, month, last_day)
    return None


def _age(words: tuple[str, ...], at: int, today: date) -> tuple[list[int], DateRange] | None:
    """"eldre enn 30 dager", "older than 2 weeks", "siste 14 dager": an age of the date."""
    older = words[at] in OLDER
    position = at + 1
    while position < len(words) and words[position] in ("enn", "than", "en", "n"):
        position += 1
    if position + 1 >= len(words) or not words[position].isdigit():
        return None
    unit = AGE_UNITS.get(words[position + 1])
    if unit is None:
        return None
    days = int(words[position]) * unit
    span = list(range(at, position + 2))
    if position + 2 < len(words) and words[position + 2] in ("gammel", "gamle", "old", "siden"):
        span.append(position + 2)
    limit = today - timedelta(days=days)
    return (span, DateRange(None, limit - timedelta(days=1)) if older
            else DateRange(limit, None))


def _in_future(span: DateRange, today: date) -> bool:
    first = span.first or span.last
    return first is not None and first > today


def _has_year(words: tuple[str, ...], span: list[int]) -> bool:
    """The expression names its year ("1. oktober 2025", "01.10.25", "2025")."""
    for i in span:
        dotted = _DMY.match(words[i])
        if _YEAR.match(words[i]) or (dotted is not None and dotted[3]):
            return True
    return False


def _year_before(today: date) -> date:
    try:
        return today.replace(year=today.year - 1)
    except ValueError:   # 29 February
        return today.replace(year=today.year - 1, day=28)


def _field(words: tuple[str, ...], span: list[int], used: set[int],
           ) -> tuple[DateField | None, int | None]:
    """The date field nearest the expression: a field word before it, or else after it."""
    first, last = min(span), max(span)
    for distance in range(1, FIELD_REACH + 1):
        for position in (first - distance, last + distance):
            if 0 <= position < len(words) and position not in used:
                for field, field_words in FIELD_WORDS.items():
                    if words[position] in field_words:
                        return field, position
    return None, None


def _year(text: str, today: date) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _day(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None

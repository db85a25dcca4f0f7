"""Dates in a question: `date_conditions` on the folded tokens of real sentences, and
`DateRange.holds`.

Each case names the date field, the inclusive bounds, whether the condition is negated and
the words it used (so the grammar does not take them for names or filters). The questions are
asked on a fixed day; nynorsk questions are read after they are mapped to bokmål, as the
grammar does, so their bokmål tokens are used here.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from knowledge.language.dates import DateCondition, DateField, DateRange, date_conditions
from knowledge.language.text import tokens

TODAY = date(2026, 11, 26)

START, END, TRANSFER, REPORT = (DateField.START, DateField.PLANNED_END, DateField.TRANSFER,
                                DateField.REPORT)


def conditions(sentence: str, today: date = TODAY) -> tuple[DateCondition, ...]:
    return date_conditions(tokens(sentence), today)


def only(sentence: str, today: date = TODAY) -> DateCondition:
    found = conditions(sentence, today)
    assert len(found) == 1, found
    return found[0]


def used_words(sentence: str, condition: DateCondition) -> list[str]:
    words = tokens(sentence)
    return [words[position] for position in sorted(condition.positions)]


@pytest.mark.parametrize(
    ("sentence", "field", "first", "last", "used", "negated"),
    [
        ("Hvilke prosjekter skal være ferdige i 2026?", END,
         date(2026, 1, 1), date(2026, 12, 31), "ferdige i 2026", False),
        ("Which projects were transferred in January 2024?", TRANSFER,
         date(2024, 1, 1), date(2024, 1, 31), "transferred in january 2024", False),
        ("prosjekter som startet før 2021", START,
         None, date(2020, 12, 31), "startet for 2021", False),
        # "etter 1. oktober": after that day, this year (today is 26 November)
        ("Hvilke prosjekter har ikke rapportert etter 1. oktober?", REPORT,
         date(2026, 10, 2), None, "rapportert etter 1 oktober", True),
        # older than 30 days: reported on or before the 31st day back
        ("prosjekter med rapport eldre enn 30 dager", REPORT,
         None, date(2026, 10, 26), "rapport eldre enn 30 dager", False),
        ("rapportert de siste 30 dagene", REPORT,
         date(2026, 10, 27), None, "rapportert siste 30 dagene", False),
        ("reported in the last 2 weeks", REPORT,
         date(2026, 11, 12), None, "reported last 2 weeks", False),
        ("status older than 3 months", REPORT,
         None, date(2026, 8, 27), "status older than 3 months", False),
        ("transferred on 2024-01-15", TRANSFER,
         date(2024, 1, 15), date(2024, 1, 15), "transferred on 2024 01 15", False),
        ("transferred January 15 2024", TRANSFER,
         date(2024, 1, 15), date(2024, 1, 15), "transferred january 15 2024", False),
        ("overført på 15.03.2024", TRANSFER,
         date(2024, 3, 15), date(2024, 3, 15), "overfort pa 15.03.2024", False),
        ("startet på 15.03.24", START,
         date(2024, 3, 15), date(2024, 3, 15), "startet pa 15.03.24", False),
        ("startet i mars 2023", START,
         date(2023, 3, 1), date(2023, 3, 31), "startet i mars 2023", False),
        ("started in March 2023", START,
         date(2023, 3, 1), date(2023, 3, 31), "started in march 2023", False),
        # nynorsk "Kva prosjekt vart overførte i oktober 2025?" after mapping to bokmål
        ("Hva prosjekt ble overførte i oktober 2025?", TRANSFER,
         date(2025, 10, 1), date(2025, 10, 31), "overforte i oktober 2025", False),
        ("startet i februar 2024", START,
         date(2024, 2, 1), date(2024, 2, 29), "startet i februar 2024", False),
        ("startet i februar 2023", START,
         date(2023, 2, 1), date(2023, 2, 28), "startet i februar 2023", False),
        ("planlagt ferdig innen 2027", END,
         None, date(2026, 12, 31), "ferdig innen 2027", False),
        ("started after 2020", START, date(2021, 1, 1), None, "started after 2020", False),
        ("started since 2020", START, date(2020, 1, 1), None, "started since 2020", False),
        ("rapportert fra 1. oktober", REPORT,
         date(2026, 10, 1), None, "rapportert fra 1 oktober", False),
        ("transferred before the 2024", TRANSFER,
         None, date(2023, 12, 31), "transferred before the 2024", False),
        # the field word may come after the date
        ("i 2019 startet", START, date(2019, 1, 1), date(2019, 12, 31), "i 2019 startet", False),
        # a month without a year, for a field that may lie ahead: this year
        ("Hvilke prosjekter skal være ferdige i desember?", END,
         date(2026, 12, 1), date(2026, 12, 31), "ferdige i desember", False),
        ("Which projects were not transferred in 2024?", TRANSFER,
         date(2024, 1, 1), date(2024, 12, 31), "transferred in 2024", True),
        ("prosjekter som ikke har status etter 1.10.2026", REPORT,
         date(2026, 10, 2), None, "status etter 1.10.2026", True),
    ],
)
def test_a_date_expression_becomes_one_condition(
        sentence: str, field: DateField, first: date | None, last: date | None, used: str,
        negated: bool) -> None:
    condition = only(sentence)
    assert condition.field is field
    assert condition.range == DateRange(first, last)
    assert condition.negated is negated
    assert used_words(sentence, condition) == used.split()


@pytest.mark.parametrize(
    ("sentence", "first"),
    [
        # a full date right after its field word, without a preposition ("overført på
        # 15.03.2024" is read above); a bare number like "12" is no date, but this is
        ("overført 15.03.2024", date(2024, 3, 15)),
        ("Hvilke prosjekter startet 01.02.2021?", date(2021, 2, 1)),
    ],
)
def test_a_dotted_date_without_a_preposition_is_a_date(sentence: str, first: date) -> None:
    condition = only(sentence)
    assert condition.range == DateRange(first, first)
    assert used_words(sentence, condition)[-1] == tokens(sentence)[-1]


@pytest.mark.parametrize(
    ("sentence", "today", "first", "last"),
    [
        # Reports lie in the past: a day or month without a year is the latest one that is
        # not in the future (the module's docstring), not this year's.
        ("Hvilke prosjekter har ikke rapportert etter 1. oktober?", date(2026, 2, 10),
         date(2025, 10, 2), None),
        ("Hvilke prosjekter rapporterte i desember?", TODAY, date(2025, 12, 1),
         date(2025, 12, 31)),
    ],
)
def test_a_report_day_without_a_year_is_not_in_the_future(
        sentence: str, today: date, first: date, last: date | None) -> None:
    condition = only(sentence, today)
    assert condition.field is REPORT
    assert condition.range == DateRange(first, last)


def test_two_conditions_each_with_its_own_field_word_and_negation() -> None:
    sentence = "prosjekter som startet i 2020 og ikke ble overført i 2024"
    started, transferred = conditions(sentence)
    assert (started.field, started.range, started.negated) == (
        START, DateRange(date(2020, 1, 1), date(2020, 12, 31)), False)
    assert (transferred.field, transferred.range, transferred.negated) == (
        TRANSFER, DateRange(date(2024, 1, 1), date(2024, 12, 31)), True)
    assert used_words(sentence, started) == ["startet", "i", "2020"]
    assert used_words(sentence, transferred) == ["overfort", "i", "2024"]
    assert not started.positions & transferred.positions


@pytest.mark.parametrize(
    "sentence",
    [
        "fase 2",
        "12 prosjekter",
        "startet 12 prosjekter",
        "12 prosjekter startet",
        "overført i fase 2",
        "Hvilke prosjekter er i fase 2?",
    ],
)
def test_a_bare_number_is_not_a_date(sentence: str) -> None:
    assert conditions(sentence) == ()


@pytest.mark.parametrize(
    "sentence",
    [
        "Hva skjedde i 2024?",
        "Hvilke prosjekter er i gjennomføring i mars?",
        "Which projects are in execution since January 2024?",
        "prosjekter eldre enn 30 dager",
    ],
)
def test_a_date_without_a_field_word_is_no_condition(sentence: str) -> None:
    assert conditions(sentence) == ()


def test_a_field_word_too_far_away_is_not_taken() -> None:
    words = ("startet", "a", "b", "c", "d", "e", "f", "i", "2020")   # 7 words from "i"
    assert date_conditions(words, TODAY) == ()
    near = ("startet", "a", "b", "c", "d", "e", "i", "2020")        # 6 words: in reach
    assert [c.field for c in date_conditions(near, TODAY)] == [START]


@pytest.mark.parametrize(
    "sentence",
    [
        "overført på 31.02.2026",
        "startet på 30.02.2024",
        "ferdig på 31.04.2027",
        "ferdig på 32.01.2027",
        "startet på 15.13.2024",
    ],
)
def test_an_invalid_day_is_no_condition(sentence: str) -> None:
    assert conditions(sentence) == ()


LAST_DAYS_2027 = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MONTH_NAMES = (
    # (bokmål, English, abbreviations)
    ("januar", "january", ("jan",)), ("februar", "february", ("feb",)),
    ("mars", "march", ("mar",)), ("april", "april", ("apr",)), ("mai", "may", ()),
    ("juni", "june", ("jun",)), ("juli", "july", ("jul",)), ("august", "august", ("aug",)),
    ("september", "september", ("sep", "sept")), ("oktober", "october", ("okt", "oct")),
    ("november", "november", ("nov",)), ("desember", "december", ("des", "dec")),
)


@pytest.mark.parametrize(("number", "names"), list(enumerate(MONTH_NAMES, start=1)))
def test_month_names_in_both_languages(number: int, names: tuple[str, str, tuple[str, ...]],
                                       ) -> None:
    bokmal, english, abbreviations = names
    month = DateRange(date(2027, number, 1), date(2027, number, LAST_DAYS_2027[number - 1]))
    for sentence in (f"ferdig i {bokmal} 2027", f"due in {english} 2027",
                     *(f"due in {short} 2027" for short in abbreviations)):
        condition = only(sentence)
        assert (condition.field, condition.range) == (END, month), sentence
        assert len(condition.positions) == 4, sentence


def test_older_than_and_within_the_last_split_every_day_in_two() -> None:
    older = only("rapport eldre enn 30 dager").range
    newer = only("rapportert de siste 30 dagene").range
    for offset in range(-5, 70):
        day = TODAY - timedelta(days=offset)
        assert older.holds(day) != newer.holds(day), day


def test_before_and_after_a_year_leave_the_year_itself_out() -> None:
    before = only("startet før 2021").range
    after = only("startet etter 2021").range
    during = only("startet i 2021").range
    for day in (date(2020, 12, 31), date(2021, 1, 1), date(2021, 6, 15), date(2021, 12, 31),
                date(2022, 1, 1)):
        assert [before.holds(day), during.holds(day), after.holds(day)].count(True) == 1, day


class TestDateRangeHolds:
    def test_no_day_is_never_in_range(self) -> None:
        assert not DateRange().holds(None)
        assert not DateRange(date(2024, 1, 1), date(2024, 12, 31)).holds(None)

    def test_an_open_range_holds_every_day(self) -> None:
        assert DateRange().holds(date(1900, 1, 1))
        assert DateRange().holds(date(2999, 12, 31))

    def test_both_bounds_are_inclusive(self) -> None:
        span = DateRange(date(2024, 3, 15), date(2024, 4, 2))
        assert span.holds(date(2024, 3, 15))
        assert span.holds(date(2024, 4, 2))
        assert span.holds(date(2024, 3, 31))
        assert not span.holds(date(2024, 3, 14))
        assert not span.holds(date(2024, 4, 3))

    def test_a_single_day(self) -> None:
        span = DateRange(date(2024, 2, 29), date(2024, 2, 29))
        assert span.holds(date(2024, 2, 29))
        assert not span.holds(date(2024, 2, 28))
        assert not span.holds(date(2024, 3, 1))

    def test_one_open_bound(self) -> None:
        since = DateRange(first=date(2024, 1, 1))
        until = DateRange(last=date(2024, 1, 1))
        assert since.holds(date(2024, 1, 1)) and since.holds(date(2030, 1, 1))
        assert not since.holds(date(2023, 12, 31))
        assert until.holds(date(2024, 1, 1)) and until.holds(date(2000, 1, 1))
        assert not until.holds(date(2024, 1, 2))

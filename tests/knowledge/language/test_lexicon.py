"""The bilingual lexicon (issue 14 items 4 and 5): the shipped files, the lookups and the
errors the portfolio office sees when a line it added is malformed."""

from __future__ import annotations

import time
from collections import Counter
from importlib import resources

import pytest

from knowledge.language.lexicon import (
    LEXICON_FILE,
    NYNORSK_FILE,
    Lexicon,
    lexicon,
    parse_pairs,
    singular_forms,
)
from knowledge.language.text import tokens

# English → Norwegian pairs the issue and the brief name; each must be in the lexicon.
REQUIRED_PAIRS = (
    ("pathology", "patologi"), ("radiology", "radiologi"), ("laboratory", "laboratorium"),
    ("laboratory", "laboratorie"), ("psychiatry", "psykisk helsevern"), ("emergency", "akutt"),
    ("maternity", "fødsel"), ("medication", "legemiddel"), ("chemotherapy", "cellegift"),
    ("COPD", "KOLS"), ("home monitoring", "hjemmeoppfølging"), ("telemedicine", "telemedisin"),
    ("nurse", "sykepleier"), ("nurse", "sjukepleiar"), ("doctor", "lege"), ("surgeon", "kirurg"),
    ("midwife", "jordmor"), ("porter", "portør"), ("patient", "pasient"), ("bed", "seng"),
    ("ward", "sengepost"), ("admission", "innleggelse"), ("discharge", "utskrivning"),
    ("check-in", "innsjekk"), ("payment", "betaling"), ("appointment", "time"),
    ("appointment", "timebestilling"), ("referral", "henvisning"),
    ("waiting list", "venteliste"), ("logistics", "logistikk"), ("finance", "økonomi"),
    ("procurement", "anskaffelse"), ("contract", "kontrakt"), ("contract", "avtale"),
    ("framework agreement", "rammeavtale"), ("payroll", "lønn"), ("rota", "turnus"),
    ("rota", "vaktplan"), ("archive", "arkiv"), ("invoice", "faktura"), ("budget", "budsjett"),
    ("EHR", "EPJ"), ("electronic health record", "EPJ"),
    ("electronic health record", "pasientjournal"), ("record", "journal"),
    ("quality registries", "kvalitetsregistre"), ("registry", "register"),
    ("data warehouse", "datavarehus"), ("analytics", "analyse"),
    ("reporting", "rapportering"), ("AI", "KI"), ("artificial intelligence", "kunstig intelligens"),
    ("machine learning", "maskinlæring"), ("imaging", "bildediagnostikk"),
    ("image sharing", "bildedeling"), ("scanners", "skannere"), ("wireless", "trådløst"),
    ("wifi", "trådløst nett"), ("network", "nett"), ("network", "nettverk"),
    ("access point", "aksesspunkt"), ("access points", "tilgangspunkt"), ("cloud", "sky"),
    ("public cloud", "offentlig sky"), ("private cloud", "privat sky"),
    ("platform", "plattform"), ("data centre", "datasenter"), ("storage", "lagring"),
    ("backup", "sikkerhetskopi"), ("telephony", "telefoni"), ("telecom", "telekom"),
    ("switchboard", "sentralbord"), ("mobile", "mobil"),
    ("service migration", "tjenestemigrering"), ("migration", "migrering"),
    ("modernisation", "modernisering"), ("upgrade", "oppgradering"),
    ("standardisation", "standardisering"), ("infrastructure", "infrastruktur"),
    ("operations", "drift"), ("security", "sikkerhet"),
    ("information security", "informasjonssikkerhet"),
    ("access management", "tilgangsstyring"), ("identity", "identitet"),
    ("login", "pålogging"), ("encryption", "kryptering"), ("privacy", "personvern"),
    ("integration", "integrasjon"), ("interoperability", "samhandling"),
    ("messaging", "meldingsutveksling"), ("portal", "portal"), ("app", "app"),
    ("self-service", "selvbetjening"), ("video consultation", "videokonsultasjon"),
    ("project", "prosjekt"), ("programme", "program"), ("portfolio", "portefølje"),
    ("phase", "fase"), ("transfer", "overføring"), ("solution", "løsning"),
    ("system", "system"), ("regional", "regional"), ("common", "felles"),
    ("shared", "felles"), ("hospital", "sykehus"), ("hospital", "sjukehus"),
    ("trust", "helseforetak"),
)
# Nynorsk → bokmål forms the issue and the brief name.
REQUIRED_NYNORSK = (
    ("kven", "hvem"), ("kva", "hva"), ("korleis", "hvordan"), ("kor", "hvor"),
    ("kvifor", "hvorfor"), ("eig", "eier"), ("eigar", "eier"), ("leiar", "leder"),
    ("prosjektleiar", "prosjektleder"), ("prosjekteigar", "prosjekteier"), ("ikkje", "ikke"),
    ("noko", "noe"), ("sjukehus", "sykehus"), ("sjukepleiar", "sykepleier"),
    ("heime", "hjemme"), ("pasientar", "pasienter"), ("prosjekta", "prosjektene"),
    ("raud", "rød"), ("raude", "røde"), ("grøn", "grønn"), ("grøne", "grønne"),
    ("avslutta", "avsluttet"), ("oversyn", "oversikt"),
)


def phrase(text: str) -> tuple[int, tuple[tuple[str, ...], ...]] | None:
    return lexicon().english_phrase_at(tokens(text), 0)


def span(text: str) -> int:
    """How many words of `text` the entry found at its start spans (0: none)."""
    found = phrase(text)
    return 0 if found is None else found[0]


def data_text(name: str) -> str:
    raw = resources.files("knowledge").joinpath("data", name).read_bytes()
    return raw.decode("utf-8", errors="strict")


def entry_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_the_lexicon_is_big_enough() -> None:
    assert len(lexicon()) >= 350
    assert len(lexicon().nynorsk) >= 120
    assert len(entry_lines(data_text(LEXICON_FILE))) >= 350


@pytest.mark.parametrize(("english", "norwegian"), REQUIRED_PAIRS)
def test_required_pairs_are_there(english: str, norwegian: str) -> None:
    found = phrase(english)
    assert found is not None, english
    span, alternatives = found
    assert span == len(tokens(english)), "the whole English phrase is one entry"
    assert tokens(norwegian) in alternatives


@pytest.mark.parametrize(("nynorsk", "bokmal"), REQUIRED_NYNORSK)
def test_nynorsk_words_read_as_bokmal(nynorsk: str, bokmal: str) -> None:
    (word,) = tokens(nynorsk)
    assert lexicon().bokmal(word) == "".join(tokens(bokmal))


def test_a_word_that_is_no_nynorsk_form_stays() -> None:
    assert lexicon().bokmal("dho") == "dho"
    assert lexicon().bokmal("hvem") == "hvem"


def test_entries_are_folded_like_questions() -> None:
    assert phrase("Wireless network") == (2, (("tradlost", "nett"), ("tradlost", "nettverk"),
                                              ("tradlaust", "nett")))
    assert span("wi-fi") == 2
    assert ("epj",) in lexicon().norwegian("ehr")


def test_phrases_are_found_inside_a_question() -> None:
    words = tokens("Which project is about home monitoring for COPD patients?")
    start = words.index("home")
    assert lexicon().english_phrase_at(words, start) == (
        2, (("hjemmeoppfolging",), ("heimeoppfolging",), ("hjemmemonitorering",)))
    assert lexicon().english_phrase_at(words, words.index("copd")) == (1, (("kols",),))
    assert lexicon().english_phrase_at(words, words.index("patients")) == (1, (("pasient",),))
    assert lexicon().english_phrase_at(words, words.index("which")) is None
    assert lexicon().english_phrase_at(words, len(words)) is None


def test_the_longest_entry_wins() -> None:
    assert span("home monitoring") == 2
    assert phrase("home") == (1, lexicon().norwegian("home"))
    assert span("home and away") == 1
    assert span("wireless network upgrade") == 2
    assert span("single sign-on") == 3
    assert span("identity and access management") == 4


@pytest.mark.parametrize(("plural", "singular"), [
    ("access points", "access point"), ("quality registries", "quality registry"),
    ("switches", "switch"), ("pharmacies", "pharmacy"), ("scanners", "scanner"),
    ("nurses", "nurse"), ("hospitals", "hospital"), ("wireless networks", "wireless network"),
    ("data warehouses", "data warehouse"), ("referrals", "referral"),
])
def test_plurals_find_the_singular_entry(plural: str, singular: str) -> None:
    assert phrase(plural) == phrase(singular)
    assert phrase(plural) is not None


def test_norwegian_of_one_word() -> None:
    assert lexicon().norwegian("hospital") == (("sykehus",), ("sjukehus",))
    assert lexicon().norwegian("hospitals") == (("sykehus",), ("sjukehus",))
    assert lexicon().norwegian("registries") == (("register",), ("registre",))
    assert lexicon().norwegian("pathology") == (("patologi",),)
    assert lexicon().norwegian("the") == ()


def test_a_word_as_written_beats_a_plural_guess() -> None:
    small = Lexicon.from_texts("new\tny\nnews\tnyheter\nnew report\tny rapport\n", "")
    assert small.english_phrase_at(("news",), 0) == (1, (("nyheter",),))
    assert small.english_phrase_at(("new",), 0) == (1, (("ny",),))
    assert small.english_phrase_at(("news", "reports"), 0) == (2, (("ny", "rapport"),))
    assert small.norwegian("news") == (("nyheter",),)


def test_singular_forms() -> None:
    assert singular_forms("registries") == ("registries", "registrie", "registri", "registry")
    assert singular_forms("switches") == ("switches", "switche", "switch")
    assert singular_forms("bed") == ("bed",)
    assert singular_forms("gps") == ("gps",)   # too short to be a plural


def test_comments_and_blank_lines_are_skipped() -> None:
    text = "# a comment\n\n   # an indented comment\n  \ncloud\tsky;skyen\n"
    assert parse_pairs(text, "x.tsv") == {("cloud",): (("sky",), ("skyen",))}


def test_a_repeated_word_gets_the_alternatives_of_both_lines() -> None:
    text = "cloud\tsky\nwifi\ttrådløst nett\nCloud\tskyen;sky\n"
    assert parse_pairs(text, "x.tsv") == {
        ("cloud",): (("sky",), ("skyen",)), ("wifi",): (("tradlost", "nett"),)}
    small = Lexicon.from_texts("", "kven\thvem\nkven\thvem\nkva\thva\n")
    assert small.bokmal("kven") == "hvem"


@pytest.mark.parametrize(("text", "line", "problem"), [
    ("cloud\tsky\nwireless trådløst\n", 2, "expected one TAB"),
    ("cloud\tsky\tskyen\n", 1, "expected exactly one TAB"),
    ("# header\n\n\tsky\n", 3, "the left side has no words"),
    ("cloud\t\n", 1, "the right side has no words"),
    ("cloud\t  \n", 1, "the right side has no words"),
    ("cloud\tsky;;skyen\n", 1, "empty alternative"),
    ("cloud\tsky;\n", 1, "empty alternative"),
    ("--\tsky\n", 1, "the left side has no words"),
])
def test_a_malformed_line_names_the_file_and_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(ValueError, match=rf"^extra\.tsv, line {line}: .*{problem}"):
        parse_pairs(text, "extra.tsv")


def test_a_nynorsk_line_has_one_word_each_side() -> None:
    with pytest.raises(ValueError, match=r"nynorsk\.tsv, line 2: expected one word on each side"):
        Lexicon.from_texts("", "kven\thvem\nkva for\thvilken\n")
    with pytest.raises(ValueError, match=r"nynorsk\.tsv, line 1: expected one word on each side"):
        Lexicon.from_texts("", "kven\thvem;hvem som\n")
    with pytest.raises(ValueError, match=r"lexicon\.tsv, line 1"):
        Lexicon.from_texts("cloud sky\n", "")


@pytest.mark.parametrize("name", [LEXICON_FILE, NYNORSK_FILE])
def test_the_shipped_files_are_utf8_with_one_line_per_word(name: str) -> None:
    text = data_text(name)   # strict UTF-8
    assert "\ufeff" not in text and "\r" not in text
    lines = entry_lines(text)
    listed = Counter(tokens(line.split("\t")[0]) for line in lines)
    assert not [words for words, count in listed.items() if count > 1], "listed more than once"
    assert len(parse_pairs(text, name, single_words=name == NYNORSK_FILE)) == len(lines)
    for line in lines:
        assert line == line.strip(), f"spaces around {line!r}"


def test_nynorsk_lines_change_the_word() -> None:
    for word, bokmal in lexicon().nynorsk.items():
        assert word != bokmal, f"{word} is the same in bokmål: leave it out"


def test_lookups_are_fast() -> None:
    words = tokens("Who is responsible for the home monitoring project at the hospital, and "
                   "which wireless network access points and quality registries does it use?")
    table = lexicon()
    rounds = 200
    began = time.perf_counter()
    for _ in range(rounds):
        for start in range(len(words)):
            table.english_phrase_at(words, start)
            table.bokmal(words[start])
    per_question = (time.perf_counter() - began) / rounds
    assert per_question < 0.001, f"{per_question * 1e6:.0f} µs per question"


def test_the_lexicon_is_read_once() -> None:
    assert lexicon() is lexicon()


def test_no_nynorsk_word_is_also_an_english_entry() -> None:
    english_words = {words[0] for words in lexicon().english if len(words) == 1}
    assert not english_words & set(lexicon().nynorsk), "the same word would mean two things"

"""The topic index on small hand-made portfolios: which index words a question word stands for
(`forms`, `holds`), how `find` ranks projects, `holding_all`, and `adding` texts to a built
index; and that a common word held by 20,000 projects does not crowd out a rare one.
"""

from __future__ import annotations

import pytest

from knowledge.language.topic_index import TopicHit, TopicIndex

Entry = tuple[int, tuple[str, ...], tuple[str, ...]]

ENTRIES: tuple[Entry, ...] = (
    (1, ("Skannerbytte",), ("Utrulling av nye skannere for papirjournaler.",)),
    (2, ("Hjemmeoppfølging hjertesvikt",),
     ("Digital hjemmeoppfølging av pasienter etter utskrivning.",)),
    (3, ("Radiologi 2.0", "RIS-løftet"), ("Oppgradering av radiologisystemet og bildearkivet.",)),
    (4, ("Selvbetjening",), ("Innsjekk og betaling i ekspedisjonene.",)),
    (5, ("Trådløst nett",), ("Utskifting av tilgangspunkter i sengebyggene.",)),
    (6, ("Telefoni",), ("Ny løsning for sentralbord.", "Arbeidet går etter planen.")),
    (7, ("Oppfølging av studier",), ("Rekruttering og oppfølging av deltakere.",)),
    (8, ("Operasjonsplanlegging",), ("Felles verktøy for kirurg og stuelogistikk.",)),
    (9, ("E-post i skyen",), ("Flytting av e-post til ny skytjeneste.",)),
)
INDEX = TopicIndex(ENTRIES)


def ids(hits: list[TopicHit]) -> list[int]:
    return [hit.project_id for hit in hits]


class TestForms:
    @pytest.mark.parametrize("word", ["skanner", "skannere", "skanneren"])
    def test_an_inflection_finds_the_word(self, word: str) -> None:
        assert "skannere" in INDEX.forms(word)
        assert INDEX.holds(word)
        assert ids(INDEX.find([word])) == [1]

    def test_a_compound_ending_with_the_word_is_found_from_it(self) -> None:
        assert set(INDEX.forms("oppfolging")) == {"oppfolging", "hjemmeoppfolging"}
        assert INDEX.holds("oppfolging")
        assert sorted(ids(INDEX.find(["oppfolging"]))) == [2, 7]

    @pytest.mark.parametrize(("part", "compound", "project"), [
        ("hjemme", "hjemmeoppfolging", 2),
        ("papir", "papirjournaler", 1),
        ("sengebygg", "sengebyggene", 5),
        ("journaler", "papirjournaler", 1),      # the end of the compound
        ("punkter", "tilgangspunkter", 5),
        ("sky", "skytjeneste", 9),               # three letters: only the start of a word
    ])
    def test_a_compound_is_found_from_its_start_or_end(self, part: str, compound: str,
                                                       project: int) -> None:
        assert compound in INDEX.forms(part)
        assert INDEX.holds(part)
        assert project in ids(INDEX.find([part]))

    def test_a_short_inner_part_finds_no_compound(self) -> None:
        assert INDEX.forms("bygg") == []     # inside "sengebyggene", at neither end
        assert INDEX.forms("tr") == []

    @pytest.mark.parametrize(("question_word", "form", "project"), [
        ("radiologiprosjektet", "radiologi", 3),
        ("skannerprosjektet", "skannere", 1),
        ("radiologiprosjekt", "radiologi", 3),
    ])
    def test_the_project_word_is_stripped_from_a_compound_question_word(
            self, question_word: str, form: str, project: int) -> None:
        assert form in INDEX.forms(question_word)
        assert INDEX.holds(question_word)
        assert ids(INDEX.find([question_word])) == [project]

    def test_an_unknown_compound_is_not_split_into_known_parts(self) -> None:
        # "telefoniplattformen" is no project about telephony: a name the index lacks.
        assert INDEX.forms("telefoniplattformen") == []
        assert not INDEX.holds("telefoniplattformen")
        assert INDEX.find(["telefoniplattformen"]) == []

    def test_long_words_sharing_a_stem_find_each_other(self) -> None:
        assert INDEX.forms("selvbetjent") == ["selvbetjening"]
        assert ids(INDEX.find(["selvbetjent"])) == [4]
        other = TopicIndex([(1, ("Selvbetjent innsjekk",), ())])
        assert other.forms("selvbetjening") == ["selvbetjent"]
        assert other.holds("selvbetjening")

    @pytest.mark.parametrize(("typo", "word"), [
        ("telefnoi", "telefoni"),              # a swapped pair is one slip
        ("telfoni", "telefoni"),               # a letter left out
        ("tellefoni", "telefoni"),             # a letter too many
        ("tilgangspnukter", "tilgangspunkter"),
        ("stuelogsitikk", "stuelogistikk"),
        ("skyjeneste", "skytjeneste"),
    ])
    def test_one_slip_in_a_long_word_is_forgiven_but_does_not_hold(self, typo: str,
                                                                   word: str) -> None:
        assert INDEX.forms(typo) == [word]
        assert not INDEX.holds(typo)

    @pytest.mark.parametrize(("typo", "word"), [
        ("kirrug", "kirurg"),                  # six letters, a swapped pair
        ("kirurk", "kirurg"),                  # six letters, one letter wrong
    ])
    def test_one_slip_in_a_six_letter_word_is_forgiven(self, typo: str, word: str) -> None:
        # MIN_FUZZY = 6, FUZZY_CUTOFF: "one slip (a swapped pair counts once) in 6+ letters"
        assert INDEX.forms(typo) == [word]

    def test_a_slip_near_the_end_of_a_long_word_shares_its_stem_and_holds(self) -> None:
        assert INDEX.forms("telefonni") == ["telefoni"]
        assert INDEX.holds("telefonni")

    def test_two_slips_are_not_forgiven(self) -> None:
        assert INDEX.forms("tlefnoi") == []

    def test_a_short_word_gets_no_typo_match(self) -> None:
        assert INDEX.knows("etter")
        assert INDEX.forms("petter") == []      # "etter" plus one letter
        assert not INDEX.holds("petter")
        assert INDEX.find(["petter"]) == []
        assert INDEX.forms("eter") == []

    def test_typo_forms_are_not_held_but_an_index_word_is(self) -> None:
        assert INDEX.forms("telefnoi") and not INDEX.holds("telefnoi")
        assert not INDEX.forms("pasientoppfolging")    # no split into "pasienter" + "oppfolging"
        for word in ("telefoni", "sentralbord", "radiologisystemet", "skytjeneste"):
            assert INDEX.knows(word) and INDEX.holds(word) and word in INDEX.forms(word)

    def test_an_unknown_word_has_no_forms(self) -> None:
        assert not INDEX.knows("robotkirurgi")
        assert INDEX.forms("robotkirurgi") == []
        assert not INDEX.holds("robotkirurgi")
        assert INDEX.find(["robotkirurgi"]) == []

    def test_filler_words_and_numbers_are_not_indexed(self) -> None:
        for word in ("av", "og", "for", "i", "2"):
            assert not INDEX.knows(word)


RANKING = TopicIndex([
    (1, ("Alfa",), ("Felles journal.",)),
    (2, ("Beta",), ("Felles journal.",)),
    (3, ("Gamma",), ("Felles journal.",)),
    (4, ("Delta",), ("Felles journal.",)),
    (5, ("Epsilon",), ("Logistikk for sterilsentralen.",)),
    (6, ("Felles kurve",), ("Ny kurve.",)),
])


class TestFind:
    def test_a_rare_word_weighs_more_than_a_common_one(self) -> None:
        hits = RANKING.find(["felles", "logistikk"])
        assert ids(hits) == [5, 6, 1, 2, 3, 4]
        assert hits[0].score > hits[1].score

    def test_a_word_in_a_name_counts_more_than_in_a_text(self) -> None:
        hits = RANKING.find(["felles"])
        assert ids(hits) == [6, 1, 2, 3, 4]
        assert hits[0].score == pytest.approx(1.5 * hits[1].score)

    def test_holding_more_words_ranks_first(self) -> None:
        hits = RANKING.find(["felles", "journal"])
        assert ids(hits) == [1, 2, 3, 4, 6]
        assert [hit.words for hit in hits] == [2, 2, 2, 2, 1]

    def test_ties_come_in_project_id_order(self) -> None:
        hits = RANKING.find(["journal"])
        assert ids(hits) == [1, 2, 3, 4]
        assert len({hit.score for hit in hits}) == 1

    def test_the_limit_is_respected(self) -> None:
        assert ids(RANKING.find(["felles"], limit=2)) == [6, 1]
        assert ids(RANKING.find(["felles", "logistikk"], limit=1)) == [5]

    def test_a_repeated_or_unknown_word_changes_nothing(self) -> None:
        once = RANKING.find(["felles"])
        assert RANKING.find(["felles", "felles"]) == once
        assert RANKING.find(["felles", "zzzzzz"]) == once
        assert RANKING.find([]) == []


class TestHoldingAll:
    def test_every_word_in_some_form(self) -> None:
        assert INDEX.holding_all(["oppfolging"]) == {2, 7}
        assert INDEX.holding_all(["oppfolging", "pasienter"]) == {2}
        assert INDEX.holding_all(["oppfolgingen", "deltakere"]) == {7}
        assert RANKING.holding_all(["felles", "journal"]) == {1, 2, 3, 4}

    def test_no_project_holds_words_of_different_projects(self) -> None:
        assert INDEX.holding_all(["skannere", "telefoni"]) == frozenset()

    def test_no_words_no_projects(self) -> None:
        assert INDEX.holding_all([]) == frozenset()


FORMS_ASKED = ("telefoni", "mammografi", "mammografiscreening", "screening", "skannere",
               "oppfolging", "sentralbord", "mammografiscreeningen", "mamografi", "kirurg",
               "felles", "journal", "petter", "screeningprosjektet")
ADDED = ((3, "Mammografiscreening tas i bruk; telefoni for innkalling."),
         (6, "Sentralbord og telefoni er levert."),
         (3, "Screening av flere pasienter."))


class TestAdding:
    def test_a_new_text_makes_its_words_findable_for_that_project(self) -> None:
        grown = INDEX.adding([(3, "Ny løsning for mammografi og telefoni.")])
        assert ids(grown.find(["mammografi"])) == [3]
        assert sorted(ids(grown.find(["telefoni"]))) == [3, 6]
        assert grown.knows("mammografi")

    def test_the_original_index_is_unchanged(self) -> None:
        before_find = {word: INDEX.find([word]) for word in FORMS_ASKED}
        before_forms = {word: INDEX.forms(word) for word in FORMS_ASKED}
        size = len(INDEX)
        INDEX.adding(ADDED)
        assert len(INDEX) == size
        assert not INDEX.knows("mammografiscreening")
        assert {word: INDEX.find([word]) for word in FORMS_ASKED} == before_find
        assert {word: INDEX.forms(word) for word in FORMS_ASKED} == before_forms
        assert ids(INDEX.find(["telefoni"])) == [6]

    def test_a_new_word_is_found_by_its_start_inflection_and_typo(self) -> None:
        grown = INDEX.adding([(3, "Mammografiscreening tas i bruk.")])
        assert grown.forms("mammografi") == ["mammografiscreening"]       # its start
        assert grown.forms("screening") == ["mammografiscreening"]        # its end
        assert grown.forms("mammografiscreeningen") == ["mammografiscreening"]
        assert grown.forms("mammografiscrening") == ["mammografiscreening"]
        assert ids(grown.find(["mammografi"])) == [3]

    def test_the_result_answers_as_a_fresh_build_of_the_same_texts(self) -> None:
        grown = INDEX.adding(ADDED)
        texts: dict[int, tuple[str, ...]] = {}
        for project_id, text in ADDED:
            texts[project_id] = (*texts.get(project_id, ()), text)
        fresh = TopicIndex((project_id, names, (*others, *texts.get(project_id, ())))
                           for project_id, names, others in ENTRIES)
        assert len(grown) == len(fresh)
        for word in FORMS_ASKED:
            assert grown.forms(word) == fresh.forms(word), word
            assert grown.holds(word) == fresh.holds(word), word
            assert grown.find([word]) == fresh.find([word]), word
        for words in (["telefoni", "mammografi"], ["screening", "pasienter"],
                      ["sentralbord", "telefoni", "oppfolging"]):
            assert grown.find(words) == fresh.find(words), words
            assert grown.holding_all(words) == fresh.holding_all(words), words

    def test_adding_twice_leaves_the_first_result_as_it_was(self) -> None:
        first = INDEX.adding([(1, "Telefoni i ekspedisjonen.")])
        first.adding([(2, "Telefoni hjemme.")])
        assert sorted(ids(first.find(["telefoni"]))) == [1, 6]


def test_a_common_word_does_not_crowd_out_a_rare_one() -> None:
    """20,000 projects share a word and one holds a rare word too: the rare word's project
    comes first, and the common word adds to it rather than to every project."""
    rare_project = 12_345
    index = TopicIndex(
        (n, (f"Prosjekt {n}",), ("Felles journalplattform." if n != rare_project
                                 else "Felles journalplattform for mammografi.",))
        for n in range(1, 20_001))
    hits = index.find(["journalplattform", "mammografi"], limit=5)
    assert hits[0].project_id == rare_project
    assert hits[0].words == 2
    assert len(hits) <= 5
    common = index.find(["journalplattform"], limit=5)
    assert len(common) == 5 and all(hit.words == 1 for hit in common)

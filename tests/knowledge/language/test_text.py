"""Folding and tokens: questions and names are compared through exactly these functions."""

from __future__ import annotations

import pytest

from knowledge.language.text import fold, split_list, tokens


@pytest.mark.parametrize(
    ("given", "folded"),
    [
        ("Trådløst Nett", "tradlost nett"),
        ("Øystein Ødegård", "oystein odegard"),
        ("Åse Bråten", "ase braten"),
        ("Ingrid Sæther", "ingrid saether"),
        ("ÆRE", "aere"),
        ("Aase Braaten", "ase braten"),  # `aa` is how å is typed without the key
        ("Bjørn Aas", "bjorn as"),
        ("Café Noël", "cafe noel"),
        ("Ångström", "angstrom"),
        ("Straße", "strasse"),
        ("HELSE SØR-ØST", "helse sor-ost"),
        ("", ""),
    ],
)
def test_fold(given: str, folded: str) -> None:
    assert fold(given) == folded


def test_folding_makes_keyboard_variants_equal() -> None:
    assert fold("Trådløst") == fold("tradlost") == fold("traadlost") == fold("TRÅDLØST")
    assert fold("Ødegård") == fold("Odegaard") == fold("ODEGÅRD")
    assert fold("Sæther") == fold("saether")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Trådløst nett fase II", ("tradlost", "nett", "fase", "2")),
        ("Trådløst nett fase I", ("tradlost", "nett", "fase", "1")),
        ("trådløst nett fase 2", ("tradlost", "nett", "fase", "2")),
        ("phase iv of the network", ("phase", "4", "of", "the", "network")),
        ("versjon iii", ("versjon", "3")),
        ("III", ("3",)),
        ("RP-014", ("rp014",)),
        ("status for rp-014?", ("status", "for", "rp014")),
        ("ST-007 og RP-1", ("st007", "og", "rp1")),
        ("Regional radiologi 2.0", ("regional", "radiologi", "2.0")),
        ("2.0", ("2.0",)),
        ("versjon 1.2.3", ("versjon", "1.2.3")),
        ("Hvem er vi?", ("hvem", "er", "vi")),  # Norwegian "we", not the roman six
        ("vi", ("vi",)),
        ("i", ("i",)),  # the preposition
        ("prosjekter i drift", ("prosjekter", "i", "drift")),
        ("fase vi", ("fase", "6")),
        ("wireless network phase two", ("wireless", "network", "phase", "2")),
        ("trådløst nett fase to", ("tradlost", "nett", "fase", "2")),
        ("to prosjekter", ("to", "prosjekter")),  # "to" alone stays a word
        ("Hvem eier EPJ-modernisering?", ("hvem", "eier", "epj", "modernisering")),
        ("e-helse", ("e", "helse")),
        ("  ", ()),
    ],
)
def test_tokens(given: str, expected: tuple[str, ...]) -> None:
    assert tokens(given) == expected


def test_tokens_fold_the_same_way_as_fold() -> None:
    assert tokens("Øystein Ødegård") == ("oystein", "odegard")
    assert tokens("Aase BRÅTEN") == tokens("åse bråten") == ("ase", "braten")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("DIPS Arena;regional EPJ;EPJ-konsolidering",
         ("DIPS Arena", "regional EPJ", "EPJ-konsolidering")),
        ("  a ; ;b;", ("a", "b")),
        ("", ()),
        (None, ()),
    ],
)
def test_split_list(given: str | None, expected: tuple[str, ...]) -> None:
    assert split_list(given) == expected

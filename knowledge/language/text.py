"""Text folding and tokens: the one way questions and names are compared.

Folding lowercases, turns æ/ø/å (and `aa`) into ASCII the way people type without a Norwegian
keyboard, strips accents, and splits into word tokens. Roman phase numbers become digits
(`fase II` → `fase 2`) and project codes lose their hyphen (`RP-014` → `rp014`). The same
function folds the index and the question, so both sides always agree.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "œ": "oe", "ð": "d", "þ": "th"})
_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_CODE = re.compile(r"\b([a-z]{1,5})-(\d{1,6})\b")
_ROMAN_ALWAYS = {"ii": "2", "iii": "3"}
_ROMAN_AFTER_WORD = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6",
                     # the number said as a word: "phase two", "fase tre"
                     "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                     "six": "6", "en": "1", "ett": "1", "to": "2", "tre": "3",
                     "fire": "4", "fem": "5", "seks": "6"}
_ROMAN_AFTER = {"fase", "phase", "del", "trinn", "steg", "versjon", "part", "stage", "step"}


_FOLD_TABLE_LIMIT = 4096   # other scripts' characters kept beyond the first 0x2000 code points


def _fold_character(character: str) -> str:
    lowered = character.casefold().translate(_LETTERS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _FoldTable(dict[int, str]):
    """Code point → its folded text, for `str.translate`; filled in as characters are met.

    Folding goes character by character: casefold, the letter table and NFKD decompose each
    code point on its own, and the only reordering NFKD does is among combining marks, which
    are all dropped. So translating with this table equals folding the whole string (the
    `aa` rule, which spans characters, comes after).
    """

    def __missing__(self, code: int) -> str:
        folded = _fold_character(chr(code))
        if code < 0x2000 or len(self) < 0x2000 + _FOLD_TABLE_LIMIT:
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lowercase ASCII-ish text: `Trådløst Nett` → `tradlost nett`, `Ødegård` → `odegard`."""
    return text.translate(_FOLD_TABLE).replace("aa", "a")


def tokens(text: str) -> tuple[str, ...]:
    """The folded word tokens of `text`, codes joined and roman phase numbers as digits."""
    folded = _CODE.sub(r"\1\2", fold(text))
    words = _TOKEN.findall(folded)
    out: list[str] = []
    for position, word in enumerate(words):
        previous = words[position - 1] if position else ""
        if previous in _ROMAN_AFTER and word in _ROMAN_AFTER_WORD:
            out.append(_ROMAN_AFTER_WORD[word])
        else:
            out.append(_ROMAN_ALWAYS.get(word, word))
    return tuple(out)


_DISPLAY_TOKEN = re.compile(r"\b[^\W\d_]{1,5}-\d{1,6}\b|[^\W_]+(?:\.[0-9]+)*")


def display_words(text: str) -> tuple[str, ...]:
    """The words of `text` as written (not folded), one per token of `tokens(text)` when possible.

    Used to quote the user's own words back («trådløst nett» passer til flere); callers fall
    back to the folded tokens when the two counts differ.
    """
    return tuple(_DISPLAY_TOKEN.findall(text))


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` as every database text column can hold it: NUL and unpaired surrogates, which
    PostgreSQL and UTF-8 refuse, become U+FFFD; everything else is kept verbatim."""
    return _UNSTORABLE.sub("\ufffd", text)


def split_list(value: str | None, separator: str = ";") -> tuple[str, ...]:
    """A `;`-separated text column as trimmed, non-empty parts."""
    if not value:
        return ()
    return tuple(part.strip() for part in value.split(separator) if part.strip())

"""The bilingual lexicon: English health-IT words in Norwegian, and nynorsk words in bokmål.

Two data files the portfolio office extends without code (issue 14 items 4 and 5), both in the
`knowledge` package so they ship in the wheel:

- `data/lexicon.tsv`: `english<TAB>norwegian[;alternative...]`, e.g. `home monitoring` →
  `hjemmeoppfølging;heimeoppfølging`. An English entry may be several words; its alternatives
  are bokmål first, then nynorsk where it differs.
- `data/nynorsk.tsv`: `nynorsk<TAB>bokmål`, one word each side, e.g. `kven` → `hvem`.

Every entry is folded with `knowledge.language.text.tokens`, the way questions are, so
`trådløst nett` is `('tradlost', 'nett')` and lookups take folded tokens. The files are read
once (`lexicon()` is cached); a malformed line stops loading with a `ValueError` naming the
file and the line. Lookups are dict lookups only: the English entries sit in a word trie, so
finding the longest entry at a position costs a few lookups per word, with simple English
plurals (-s, -es, -ies → -y) tried after the word as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from knowledge.language.text import tokens

LEXICON_FILE = "lexicon.tsv"
NYNORSK_FILE = "nynorsk.tsv"

Words = tuple[str, ...]
Alternatives = tuple[Words, ...]


def parse_pairs(text: str, source: str, *, single_words: bool = False) -> dict[Words, Alternatives]:
    """The pairs of a lexicon file's `text`: each left side's folded words → its folded
    alternatives, in file order. A left side listed again gets the new alternatives added after
    its own. `#` lines and blank lines are skipped. With `single_words`, each side must be one
    word. A malformed line raises ValueError naming `source` and the line number."""
    pairs: dict[Words, list[Words]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        sides = line.split("\t")
        if len(sides) != 2:
            raise _line_error(source, number, line, "expected one TAB between the two sides"
                              if len(sides) == 1 else "expected exactly one TAB")
        key = tokens(sides[0])
        if not key:
            raise _line_error(source, number, line, "the left side has no words")
        alternatives = [tokens(part) for part in sides[1].split(";")]
        if not all(alternatives):
            raise _line_error(source, number, line, "the right side has an empty alternative"
                              if sides[1].strip() else "the right side has no words")
        if single_words and (len(key) != 1 or any(len(words) != 1 for words in alternatives)):
            raise _line_error(source, number, line, "expected one word on each side")
        known = pairs.setdefault(key, [])
        known.extend(words for words in alternatives if words not in known)
    return {key: tuple(alternatives) for key, alternatives in pairs.items()}


def _line_error(source: str, number: int, line: str, problem: str) -> ValueError:
    return ValueError(f"{source}, line {number}: {problem}: {line!r}")


def singular_forms(word: str) -> tuple[str, ...]:
    """`word` and the singulars it may be the plural of: `registries` → registries, registrie,
    registri, registry. Wrong guesses are harmless: they are only looked up."""
    forms = [word]
    if len(word) > 3 and word.endswith("s"):
        forms.append(word[:-1])
        if word.endswith("es"):
            forms.append(word[:-2])
        if word.endswith("ies"):
            forms.append(word[:-3] + "y")
    return tuple(forms)


@dataclass(slots=True)
class _Node:
    """One word of the English trie: the entries that go on, and the entry ending here."""

    children: dict[str, _Node] = field(default_factory=dict)
    norwegian: Alternatives | None = None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """English → Norwegian phrases and nynorsk → bokmål words, folded; see the module doc."""

    english: dict[Words, Alternatives]
    nynorsk: dict[str, str]
    _trie: _Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        root = _Node()
        for words, norwegian in self.english.items():
            # "children's ward" is also found as "children ward": the possessive's "s" may
            # have been left out with other small words.
            for variant in dict.fromkeys((words, tuple(w for w in words if w != "s"))):
                node = root
                for word in variant:
                    node = node.children.setdefault(word, _Node())
                node.norwegian = node.norwegian or norwegian
        object.__setattr__(self, "_trie", root)

    @classmethod
    def from_texts(cls, english_text: str, nynorsk_text: str,
                   sources: tuple[str, str] = (LEXICON_FILE, NYNORSK_FILE)) -> Lexicon:
        """A lexicon of the two files' texts (`sources` name them in errors)."""
        english = parse_pairs(english_text, sources[0])
        nynorsk = parse_pairs(nynorsk_text, sources[1], single_words=True)
        return cls(english, {key[0]: bokmal[0][0] for key, bokmal in nynorsk.items()})

    def __len__(self) -> int:
        return len(self.english)

    def english_phrase_at(self, tokens: Sequence[str], start: int) -> tuple[int, Alternatives] | None:
        """The longest English entry that starts at `tokens[start]`: (how many tokens it spans,
        its Norwegian alternatives as folded words), or None when no entry starts there. Each
        token may be a plural of the entry's word (`access points` is `access point`); of two
        entries as long, the one matching more tokens as written wins (`news` before `new`)."""
        best: tuple[int, int, Alternatives] | None = None   # (span, words as written, found)
        pending: list[tuple[_Node, int, int]] = [(self._trie, start, 0)]
        while pending:
            node, position, as_written = pending.pop()
            if position >= len(tokens):
                continue
            token = tokens[position]
            for form in singular_forms(token):
                child = node.children.get(form)
                if child is None:
                    continue
                span, exact = position + 1 - start, as_written + (form == token)
                if child.norwegian is not None and (best is None or (span, exact) > best[:2]):
                    best = (span, exact, child.norwegian)
                if child.children:
                    pending.append((child, position + 1, exact))
        return None if best is None else (best[0], best[2])

    def norwegian(self, word: str) -> Alternatives:
        """The Norwegian alternatives of one folded English word (or its singular), as folded
        words; empty when the lexicon has no such word."""
        for form in singular_forms(word):
            found = self.english.get((form,))
            if found is not None:
                return found
        return ()

    def bokmal(self, word: str) -> str:
        """The folded bokmål form of a folded nynorsk word, or `word` itself."""
        return self.nynorsk.get(word, word)


def read_data_file(name: str) -> str:
    """A file of `knowledge/data`, as shipped in the package."""
    return resources.files("knowledge").joinpath("data", name).read_text(encoding="utf-8")


@cache
def lexicon() -> Lexicon:
    """The shipped lexicon, read once."""
    return Lexicon.from_texts(read_data_file(LEXICON_FILE), read_data_file(NYNORSK_FILE),
                              (f"knowledge/data/{LEXICON_FILE}", f"knowledge/data/{NYNORSK_FILE}"))

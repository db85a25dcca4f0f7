"""Fuzzy look-up of FAQ entries by their question and keywords."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.model import FaqEntry
from knowledge.text import tokens
from knowledge.vocabulary import STOPWORDS


@dataclass(frozen=True, slots=True)
class FaqMatch:
    """How well one FAQ entry fits a question."""

    entry: FaqEntry
    question_similarity: float   # 0–100, the whole question against the entry's question
    query_coverage: float        # share of the question's words the entry has (0–1)
    entry_coverage: float        # share of the entry's question words the question has (0–1)
    keyword_hit: bool            # one of the entry's keywords stands whole in the question

    @property
    def sure(self) -> bool:
        """Plainly this entry: near the same question, or every word of it explained."""
        return self.question_similarity >= 88 or (
            self.query_coverage >= 0.99 and (self.entry_coverage >= 0.5 or self.keyword_hit)
        ) or (self.query_coverage >= 0.75 and self.entry_coverage >= 0.75)

    @property
    def likely(self) -> bool:
        """Probably this entry, when nothing in the portfolio fits better."""
        return self.sure or (self.query_coverage >= 0.6
                             and (self.entry_coverage >= 0.4 or self.keyword_hit))

    @property
    def score(self) -> float:
        return max(self.question_similarity,
                   100 * (0.6 * self.query_coverage + 0.4 * self.entry_coverage))


class FaqIndex:
    """FAQ entries with their folded question text, content words and keyword phrases."""

    def __init__(self, entries: Iterable[FaqEntry]) -> None:
        self._entries = tuple(entries)
        self._questions = [" ".join(tokens(entry.question)) for entry in self._entries]
        self._question_words = [
            frozenset(t for t in tokens(entry.question) if t not in STOPWORDS)
            for entry in self._entries
        ]
        self._keywords = [
            tuple(k for k in (tokens(keyword) for keyword in entry.keywords) if k)
            for entry in self._entries
        ]
        self._all_words = [
            words | {w for keyword in keywords for w in keyword}
            for words, keywords in zip(self._question_words, self._keywords, strict=True)
        ]

    def __len__(self) -> int:
        return len(self._entries)

    def best(self, query_tokens: tuple[str, ...]) -> FaqMatch | None:
        """The best entry for the question, or None when there are no entries or words."""
        if not self._entries or not query_tokens:
            return None
        text = " ".join(query_tokens)
        content = {t for t in query_tokens if t not in STOPWORDS}
        best: FaqMatch | None = None
        for entry, question, question_words, keywords, all_words in zip(
            self._entries, self._questions, self._question_words, self._keywords,
            self._all_words, strict=True,
        ):
            match = FaqMatch(
                entry=entry,
                question_similarity=fuzz.ratio(text, question),
                query_coverage=_covered(content, all_words),
                entry_coverage=_covered(set(question_words), frozenset(content)),
                keyword_hit=any(_phrase_in(keyword, query_tokens) for keyword in keywords),
            )
            if best is None or match.score > best.score:
                best = match
        return best


def _phrase_in(phrase: tuple[str, ...], words: tuple[str, ...]) -> bool:
    return all(any(_same_word(p, w) for w in words) for p in phrase)


def _covered(words: set[str], other: frozenset[str]) -> float:
    """Share of `words` that have a counterpart in `other`, allowing inflections."""
    if not words:
        return 0.0
    return sum(1 for word in words if any(_same_word(word, o) for o in other)) / len(words)


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    if a.startswith(b) or b.startswith(a) or fuzz.ratio(a, b) >= 85:
        return True
    return min(len(a), len(b)) >= 6 and (a.endswith(b) or b.endswith(a))

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
    entry: FaqEntry
    score: float          # 0–100
    question_similarity: float


class FaqIndex:
    """FAQ entries with their folded question text and keyword token sets."""

    def __init__(self, entries: Iterable[FaqEntry]) -> None:
        self._entries = tuple(entries)
        self._questions = [" ".join(tokens(entry.question)) for entry in self._entries]
        self._content = [
            frozenset(t for t in tokens(entry.question) if t not in STOPWORDS)
            for entry in self._entries
        ]
        self._keywords = [
            tuple(tokens(keyword) for keyword in entry.keywords) for entry in self._entries
        ]

    def __len__(self) -> int:
        return len(self._entries)

    def best(self, query_tokens: tuple[str, ...]) -> FaqMatch | None:
        """The best entry for the question, scored on question similarity and keyword hits."""
        if not self._entries or not query_tokens:
            return None
        text = " ".join(query_tokens)
        content = {t for t in query_tokens if t not in STOPWORDS}
        best: FaqMatch | None = None
        for entry, question, entry_content, keywords in zip(
            self._entries, self._questions, self._content, self._keywords, strict=True
        ):
            similarity = fuzz.ratio(text, question)
            keyword_hits = sum(
                1 for keyword in keywords if keyword and all(word in query_tokens for word in keyword)
            )
            overlap = _fuzzy_overlap(content, entry_content)
            score = max(similarity, 100 * overlap, min(95.0, 55 + 20 * keyword_hits + 40 * overlap))
            if best is None or score > best.score:
                best = FaqMatch(entry, score, similarity)
        return best


def _fuzzy_overlap(query: set[str], entry: frozenset[str]) -> float:
    """Share of the two token sets that pair up, allowing inflections (`portefoljen`)."""
    if not query or not entry:
        return 0.0
    hits = sum(1 for word in query if any(_same_word(word, other) for other in entry))
    return hits / max(len(query), len(entry))


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    return a.startswith(b) or b.startswith(a) or fuzz.ratio(a, b) >= 85

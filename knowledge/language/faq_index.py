"""Fuzzy look-up of FAQ entries by their question and keywords."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from knowledge.language.text import tokens
from knowledge.language.vocabulary import STOPWORDS
from knowledge.portfolio.model import FaqEntry


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
    """FAQ entries with their folded question text, content words and keyword phrases.

    Matching compares words allowing inflections (`_same_word`). That relation is symmetric,
    so for each question word the index finds, once, which of its own words it pairs with
    (`_Words.partners`, cached); every entry is then scored with set look-ups instead of comparing
    each question word with each entry word again.
    """

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
        vocabulary: set[str] = set()
        for words in self._all_words:
            vocabulary |= words
        self._partners: Callable[[str], frozenset[str]] = lru_cache(maxsize=8192)(
            _Words(vocabulary).partners)

    def __len__(self) -> int:
        return len(self._entries)

    def best(self, query_tokens: tuple[str, ...]) -> FaqMatch | None:
        """The best entry for the question, or None when there are no entries or words."""
        if not self._entries or not query_tokens:
            return None
        text = " ".join(query_tokens)
        content = {t for t in query_tokens if t not in STOPWORDS}
        partners = {word: self._partners(word) for word in set(query_tokens)}
        content_partners = [partners[word] for word in content]
        said: set[str] = set()              # index words some question word pairs with
        for word in query_tokens:
            said |= partners[word]
        said_by_content: set[str] = set()
        for found in content_partners:
            said_by_content |= found
        best: FaqMatch | None = None
        for entry, question, question_words, keywords, all_words in zip(
            self._entries, self._questions, self._question_words, self._keywords,
            self._all_words, strict=True,
        ):
            query_hits = sum(1 for found in content_partners if not found.isdisjoint(all_words))
            entry_hits = sum(1 for word in question_words if word in said_by_content)
            match = FaqMatch(
                entry=entry,
                question_similarity=fuzz.ratio(text, question),
                query_coverage=query_hits / len(content) if content else 0.0,
                entry_coverage=entry_hits / len(question_words) if question_words else 0.0,
                keyword_hit=any(all(word in said for word in keyword) for keyword in keywords),
            )
            if best is None or match.score > best.score:
                best = match
        return best


class _Words:
    """The words of every entry, for finding those a question word pairs with."""

    def __init__(self, vocabulary: set[str]) -> None:
        self._vocabulary = frozenset(vocabulary)
        self._sorted = sorted(vocabulary)
        self._reversed = sorted(word[::-1] for word in vocabulary)
        self._long = [word for word in self._sorted if len(word) >= 4]

    def partners(self, word: str) -> frozenset[str]:
        """The index's words that `word` pairs with under `_same_word`."""
        found = {word} if word in self._vocabulary else set()
        if len(word) < 4:
            return frozenset(found)
        candidates: set[str] = set()
        start = bisect.bisect_left(self._sorted, word)       # words that start with `word`
        for other in itertools.islice(self._sorted, start, None):
            if not other.startswith(word):
                break
            candidates.add(other)
        candidates.update(word[:cut] for cut in range(4, len(word))    # … that `word` starts with
                          if word[:cut] in self._vocabulary)
        if len(word) >= 6:
            backwards = word[::-1]                           # … that end with `word`
            start = bisect.bisect_left(self._reversed, backwards)
            for other in itertools.islice(self._reversed, start, None):
                if not other.startswith(backwards):
                    break
                candidates.add(other[::-1])
            candidates.update(word[-cut:] for cut in range(6, len(word))  # … that `word` ends with
                              if word[-cut:] in self._vocabulary)
        # Near spellings: a lower cut-off than `_same_word`'s own, which decides below.
        candidates.update(other for other, _, _ in process.extract(
            word, self._long, scorer=fuzz.ratio, score_cutoff=80, limit=None))
        found.update(other for other in candidates if _same_word(word, other))
        return frozenset(found)


def _same_word(a: str, b: str) -> bool:
    """The same word allowing inflections and typos; symmetric in `a` and `b`."""
    if a == b:
        return True
    if min(len(a), len(b)) < 4:
        return False
    if a.startswith(b) or b.startswith(a) or fuzz.ratio(a, b) >= 85:
        return True
    return min(len(a), len(b)) >= 6 and (a.endswith(b) or b.endswith(a))

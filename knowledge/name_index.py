"""The fuzzy name index: finds which projects, people, programmes or organisations a question names.

Every name form (name, short name, alias, code, e-mail local part) is an entry of folded
tokens. A question token is compared with the index's vocabulary, not with every name:
exact hits first, then prefixes and compound parts (`radiologi` ↔ `radiologilosning`), then
typos by rapidfuzz over vocabulary words of about the same length. Candidates come from the
posting lists of the rarest matched tokens, so a question touches a few hundred entries even
when the portfolio holds 100,000 projects; only those are scored.

A candidate's score weighs tokens by inverse document frequency: `name_coverage` is how much
of the name the question mentions, `query_coverage` how much of the question the name
explains. The answering layer uses both to accept a match or ask which one was meant.
"""

from __future__ import annotations

import bisect
import enum
import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

EXACT = 1.0
PREFIX = 0.85        # the question's word starts the name's word (compound nouns), or vice versa
INNER = 0.75         # the question's word ends the name's word (`plattform` in `skyplattform`)
MIN_AFFIX_LENGTH = 4
MIN_FUZZY_LENGTH = 4
MAX_POSTINGS_FOR_CANDIDATES = 4000
CANDIDATES_TO_SCORE = 300


class EntityKind(enum.StrEnum):
    PROJECT = "project"
    PERSON = "person"
    PROGRAMME = "programme"
    ORGANIZATION = "organization"


@dataclass(frozen=True, slots=True)
class NameForm:
    """One way of naming an entity, before indexing."""

    kind: EntityKind
    entity_id: int
    text: str
    tokens: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NameMatch:
    """How well one entity's best name form matches the question's tokens."""

    kind: EntityKind
    entity_id: int
    form: str
    score: float
    name_coverage: float
    query_coverage: float
    matched_positions: frozenset[int]

    @property
    def key(self) -> tuple[EntityKind, int]:
        return (self.kind, self.entity_id)


class NameIndex:
    """An immutable index of name forms; build once per snapshot, query from any thread."""

    def __init__(self, forms: Iterable[NameForm]) -> None:
        self._forms: list[NameForm] = [form for form in forms if form.tokens]
        postings: dict[str, list[int]] = defaultdict(list)
        for position, form in enumerate(self._forms):
            for token in set(form.tokens):
                postings[token].append(position)
        self._postings: dict[str, tuple[int, ...]] = {t: tuple(p) for t, p in postings.items()}
        entity_count = max(1, len({(f.kind, f.entity_id) for f in self._forms}))
        self._idf = {
            token: math.log(1 + entity_count / len(posting))
            for token, posting in self._postings.items()
        }
        self._unknown_idf = math.log(1 + entity_count)
        self._vocabulary = sorted(self._postings)
        by_length: dict[int, list[str]] = defaultdict(list)
        for token in self._vocabulary:
            by_length[len(token)].append(token)
        self._by_length = dict(by_length)
        self._reversed = sorted((token[::-1], token) for token in self._vocabulary)
        self.similar_tokens = lru_cache(maxsize=8192)(self._similar_tokens)

    def __len__(self) -> int:
        return len(self._forms)

    def idf(self, token: str) -> float:
        return self._idf.get(token, self._unknown_idf)

    def knows(self, token: str) -> bool:
        return token in self._postings

    def _similar_tokens(self, token: str) -> dict[str, float]:
        """Vocabulary words that `token` may stand for, with a similarity in (0, 1]."""
        found: dict[str, float] = {}
        if token in self._postings:
            found[token] = EXACT
        if len(token) >= MIN_AFFIX_LENGTH:
            for word in self._with_prefix(token):
                found.setdefault(word, PREFIX)
            for word in self._with_suffix(token):
                found.setdefault(word, INNER)
            for cut in range(len(token) - 1, MIN_AFFIX_LENGTH + 1, -1):
                if token[:cut] in self._postings and len(token) - cut <= 4:
                    found.setdefault(token[:cut], PREFIX)   # `nettverk` → `nett`
                    break
        if token in self._postings or len(token) < MIN_FUZZY_LENGTH:
            return found
        cutoff = 80 if len(token) <= 7 else 85   # long compounds differ in one part
        span = max(1, len(token) // 4)
        for length in range(len(token) - span, len(token) + span + 1):
            words = self._by_length.get(length)
            if not words:
                continue
            for word, score, _ in process.extract(
                token, words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5
            ):
                found.setdefault(word, round(0.55 + 0.4 * (score - cutoff) / (100 - cutoff), 3))
        return found

    def _with_prefix(self, token: str, limit: int = 50) -> list[str]:
        start = bisect.bisect_left(self._vocabulary, token)
        words: list[str] = []
        for word in self._vocabulary[start : start + limit + 1]:
            if not word.startswith(token):
                break
            if word != token:
                words.append(word)
        return words

    def _with_suffix(self, token: str, limit: int = 50) -> list[str]:
        reversed_token = token[::-1]
        start = bisect.bisect_left(self._reversed, (reversed_token, ""))
        words: list[str] = []
        for reversed_word, word in self._reversed[start : start + limit + 1]:
            if not reversed_word.startswith(reversed_token):
                break
            if word != token and len(word) - len(token) >= 3:
                words.append(word)
        return words

    def search(
        self,
        query: Sequence[str],
        *,
        weights: Sequence[float] | None = None,
        kinds: frozenset[EntityKind] | None = None,
        limit: int = 10,
    ) -> list[NameMatch]:
        """The best-matching entities for the question tokens `query`, best first.

        `weights` scale each query token's part in `query_coverage` (cue words count less).
        """
        if not query:
            return []
        weights = weights or [1.0] * len(query)
        similar = [self.similar_tokens(token) for token in query]
        candidates = self._candidates(similar)
        best: dict[tuple[EntityKind, int], NameMatch] = {}
        for position in candidates:
            form = self._forms[position]
            if kinds is not None and form.kind not in kinds:
                continue
            match = self._score(form, query, weights, similar)
            if match is None:
                continue
            current = best.get(match.key)
            if current is None or match.score > current.score:
                best[match.key] = match
        return heapq.nlargest(limit, best.values(), key=lambda m: (m.score, m.name_coverage))

    def _candidates(self, similar: list[dict[str, float]]) -> list[int]:
        votes: dict[int, float] = defaultdict(float)
        lists = [
            (self.idf(word) * weight, self._postings[word])
            for words in similar
            for word, weight in words.items()
        ]
        small = [item for item in lists if len(item[1]) <= MAX_POSTINGS_FOR_CANDIDATES]
        if not small and lists:
            # Every word is common: only entries holding the two rarest of them are worth it.
            lists.sort(key=lambda item: len(item[1]))
            common = set(lists[0][1]).intersection(*(item[1] for item in lists[1:2]))
            small = [(lists[0][0], tuple(common))]
        for weight, posting in small:
            for position in posting:
                votes[position] += weight
        if len(votes) <= CANDIDATES_TO_SCORE:
            return list(votes)
        return heapq.nlargest(CANDIDATES_TO_SCORE, votes, key=votes.__getitem__)

    def _score(
        self,
        form: NameForm,
        query: Sequence[str],
        weights: Sequence[float],
        similar: list[dict[str, float]],
    ) -> NameMatch | None:
        name_total = name_hit = 0.0
        matched: set[int] = set()
        best_for_query = [0.0] * len(query)
        for token in form.tokens:
            weight = self.idf(token)
            name_total += weight
            hit, where = 0.0, -1
            for position, words in enumerate(similar):
                value = words.get(token, 0.0)
                if value > hit:
                    hit, where = value, position
            if where >= 0:
                name_hit += weight * hit
                matched.add(where)
                best_for_query[where] = max(best_for_query[where], hit)
        if not matched:
            return None
        query_total = query_hit = 0.0
        for position, token in enumerate(query):
            weight = weights[position] * self._query_weight(token, similar[position])
            query_total += weight
            query_hit += weight * best_for_query[position]
        name_coverage = name_hit / name_total if name_total else 0.0
        query_coverage = query_hit / query_total if query_total else 0.0
        if name_coverage + query_coverage == 0:
            return None
        score = 2 * name_coverage * query_coverage / (name_coverage + query_coverage)
        return NameMatch(
            kind=form.kind,
            entity_id=form.entity_id,
            form=form.text,
            score=score,
            name_coverage=name_coverage,
            query_coverage=query_coverage,
            matched_positions=frozenset(matched),
        )

    def _query_weight(self, token: str, similar: dict[str, float]) -> float:
        if token in self._idf:
            return self._idf[token]
        if similar:
            return max(self.idf(word) for word in similar)
        return self._unknown_idf

    def suggestions(self, text: str, kinds: frozenset[EntityKind], limit: int = 3) -> list[NameForm]:
        """Name forms closest to `text` by plain fuzzy ratio, for 'did you mean' offers."""
        pool = [form for form in self._forms if form.kind in kinds]
        if not pool or not text:
            return []
        names = [" ".join(form.tokens) for form in pool]
        found = process.extract(text, names, scorer=fuzz.token_sort_ratio, score_cutoff=78,
                                limit=limit * 3)
        seen: set[tuple[EntityKind, int]] = set()
        out: list[NameForm] = []
        for _, _, position in found:
            form = pool[position]
            if (form.kind, form.entity_id) not in seen:
                seen.add((form.kind, form.entity_id))
                out.append(form)
        return out[:limit]

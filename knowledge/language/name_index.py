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
import itertools
import math
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
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
        entities: dict[EntityKind, set[int]] = defaultdict(set)
        for position, form in enumerate(self._forms):
            for token in set(form.tokens):
                postings[token].append(position)
            entities[form.kind].add(form.entity_id)
        self._postings: dict[str, tuple[int, ...]] = {t: tuple(p) for t, p in postings.items()}
        del postings
        entity_count = max(1, sum(len(ids) for ids in entities.values()))
        self._idf = {
            token: math.log(1 + entity_count / len(posting))
            for token, posting in self._postings.items()
        }
        self._unknown_idf = math.log(1 + entity_count)
        self._sorted_names = _SortedNames(self._forms)
        # The cache holds the vocabulary, not the index: no reference cycle, so an index
        # that is no longer used is freed at once rather than by the cyclic collector.
        self.similar_tokens: Callable[[str], dict[str, float]] = lru_cache(maxsize=8192)(
            _Vocabulary(self._postings).similar)

    def __len__(self) -> int:
        return len(self._forms)

    def idf(self, token: str) -> float:
        return self._idf.get(token, self._unknown_idf)

    def knows(self, token: str) -> bool:
        return token in self._postings

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
        # Each vocabulary word's best similarity to any query token, and the first token that
        # reaches it: what scoring a name's token needs, computed once instead of per name.
        hits: dict[str, tuple[float, int]] = {}
        for position, words in enumerate(similar):
            for word, value in words.items():
                seen = hits.get(word)
                if value > (seen[0] if seen is not None else 0.0):
                    hits[word] = (value, position)
        scorer = _Scorer(self, query, weights, similar, hits)
        best: dict[tuple[EntityKind, int], tuple[float, float, float, frozenset[int], NameForm]] = {}
        for position in candidates:
            form = self._forms[position]
            if kinds is not None and form.kind not in kinds:
                continue
            scored = scorer.score(form)
            if scored is None:
                continue
            key = (form.kind, form.entity_id)
            current = best.get(key)
            if current is None or scored[0] > current[0]:
                best[key] = (*scored, form)
        top = heapq.nlargest(limit, best.values(), key=lambda item: (item[0], item[1]))
        return [
            NameMatch(kind=form.kind, entity_id=form.entity_id, form=form.text, score=score,
                      name_coverage=name_coverage, query_coverage=query_coverage,
                      matched_positions=matched)
            for score, name_coverage, query_coverage, matched, form in top
        ]

    def _candidates(self, similar: list[dict[str, float]]) -> list[int]:
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
        votes: dict[int, float] = {}
        get = votes.get
        for weight, posting in small:
            for position in posting:
                votes[position] = get(position, 0.0) + weight
        if len(votes) <= CANDIDATES_TO_SCORE:
            return list(votes)
        # The CANDIDATES_TO_SCORE most voted, most first, ties in first-vote order: what
        # heapq.nlargest(n, votes, key=votes.__getitem__) gives, without a key call per entry.
        threshold = sorted(votes.values(), reverse=True)[CANDIDATES_TO_SCORE - 1]
        above = [position for position, vote in votes.items() if vote > threshold]
        above.sort(key=votes.__getitem__, reverse=True)
        tied = (position for position, vote in votes.items() if vote == threshold)
        return above + list(itertools.islice(tied, CANDIDATES_TO_SCORE - len(above)))

    def _query_weight(self, token: str, similar: dict[str, float]) -> float:
        if token in self._idf:
            return self._idf[token]
        if similar:
            return max(self.idf(word) for word in similar)
        return self._unknown_idf

    def suggestions(self, text: str, kinds: frozenset[EntityKind], limit: int = 3) -> list[NameForm]:
        """Name forms closest to `text` by plain fuzzy ratio, for 'did you mean' offers."""
        if not text or not self._sorted_names.holds(kinds):
            return []
        found = self._sorted_names.closest(text, kinds, limit * 3)
        if found is None:   # text the fast path cannot split as rapidfuzz does
            pool = [form for form in self._forms if form.kind in kinds]
            names = [" ".join(form.tokens) for form in pool]
            found = [pool[position] for _, _, position in process.extract(
                text, names, scorer=fuzz.token_sort_ratio, score_cutoff=78, limit=limit * 3)]
        seen: set[tuple[EntityKind, int]] = set()
        out: list[NameForm] = []
        for form in found:
            if (form.kind, form.entity_id) not in seen:
                seen.add((form.kind, form.entity_id))
                out.append(form)
        return out[:limit]


class _Vocabulary:
    """The index's words, for finding those a question word may stand for."""

    def __init__(self, postings: Mapping[str, object]) -> None:
        self._postings = postings
        self._vocabulary = sorted(postings)
        by_length: dict[int, list[str]] = defaultdict(list)
        for token in self._vocabulary:
            by_length[len(token)].append(token)
        self._by_length = dict(by_length)
        # The same words split by how many digits they hold: `rp00123` can never be a typo
        # of `radiolgi`, so fuzzy look-ups skip the groups that cannot reach the cut-off.
        self._by_digits: dict[int, dict[int, list[str]]] = {}
        for length, words in self._by_length.items():
            groups: dict[int, list[str]] = defaultdict(list)
            for word in words:
                groups[_digits(word)].append(word)
            self._by_digits[length] = dict(groups)
        self._reversed = sorted(token[::-1] for token in self._vocabulary)

    def similar(self, token: str) -> dict[str, float]:
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
            if length not in self._by_length:
                continue
            for word, score in self._closest(token, length, cutoff):
                found.setdefault(word, round(0.55 + 0.4 * (score - cutoff) / (100 - cutoff), 3))
        return found

    def _closest(self, token: str, length: int, cutoff: float) -> list[tuple[str, float]]:
        """The (at most 5) vocabulary words of `length` closest to `token` by `fuzz.ratio`.

        As `process.extract` over all words of that length would give them: best first, ties
        in vocabulary order. Digit groups whose ratio cannot reach `cutoff` (a digit matches
        only a digit) are left out; the rest are searched group by group and merged.
        """
        groups = self._by_digits[length]
        digits = _digits(token)
        letters = len(token) - digits
        reachable = [
            words for count, words in groups.items()
            if 200 * (min(digits, count) + min(letters, length - count)) / (len(token) + length)
            >= cutoff - 1e-6
        ]
        if len(reachable) == len(groups):
            reachable = [self._by_length[length]]
        found: list[tuple[str, float]] = []
        for words in reachable:
            found.extend((word, score) for word, score, _ in process.extract(
                token, words, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5))
        if len(reachable) > 1:
            found.sort(key=lambda item: (-item[1], item[0]))   # words of one length are unique
        return found[:5]

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
        start = bisect.bisect_left(self._reversed, reversed_token)
        words: list[str] = []
        for reversed_word in self._reversed[start : start + limit + 1]:
            if not reversed_word.startswith(reversed_token):
                break
            word = reversed_word[::-1]
            if word != token and len(word) - len(token) >= 3:
                words.append(word)
        return words


def _digits(word: str) -> int:
    return sum(1 for ch in word if "0" <= ch <= "9")


class _Scorer:
    """Scores name forms against one query (see `NameIndex.search`)."""

    def __init__(self, index: NameIndex, query: Sequence[str], weights: Sequence[float],
                 similar: list[dict[str, float]], hits: dict[str, tuple[float, int]]) -> None:
        self._index = index
        self._query = query
        self._weights = weights
        self._similar = similar
        self._hits = hits
        self._query_weights: list[float] | None = None
        self._query_total = 0.0

    def _prepare(self) -> list[float]:
        index, query = self._index, self._query
        weights = [
            self._weights[position] * index._query_weight(token, self._similar[position])
            for position, token in enumerate(query)
        ]
        total = 0.0
        for weight in weights:
            total += weight
        self._query_weights, self._query_total = weights, total
        return weights

    def score(self, form: NameForm) -> tuple[float, float, float, frozenset[int]] | None:
        """(score, name coverage, query coverage, matched query positions), or None."""
        idf, hits = self._index._idf, self._hits
        name_total = name_hit = 0.0
        best_for_query: dict[int, float] = {}
        for token in form.tokens:
            weight = idf[token]
            name_total += weight
            found = hits.get(token)
            if found is not None:
                hit, where = found
                name_hit += weight * hit
                if hit > best_for_query.get(where, 0.0):
                    best_for_query[where] = hit
        if not best_for_query:
            return None
        query_weights = self._query_weights or self._prepare()
        query_total = self._query_total
        query_hit = 0.0   # positions without a hit add 0.0, which changes no sum
        for position in sorted(best_for_query):
            query_hit += query_weights[position] * best_for_query[position]
        name_coverage = name_hit / name_total if name_total else 0.0
        query_coverage = query_hit / query_total if query_total else 0.0
        if name_coverage + query_coverage == 0:
            return None
        score = 2 * name_coverage * query_coverage / (name_coverage + query_coverage)
        return score, name_coverage, query_coverage, frozenset(best_for_query)


SUGGESTION_CUTOFF = 78
_RAPIDFUZZ_NOT_SPACE = ("\x85", "\xa0")   # str.split() splits on these, rapidfuzz does not


class _SortedNames:
    """Every form's tokens sorted and joined, grouped by kind and length, for `suggestions`.

    `fuzz.token_sort_ratio(text, name)` is `fuzz.ratio` of the two sorted-and-joined
    strings, and a ratio of at least `SUGGESTION_CUTOFF` needs lengths within a factor of
    about 1.56; so only groups of such lengths are searched, each with `process.extract`
    on the pre-sorted names, and the results merged in the order one `process.extract`
    over the whole pool would give (best first, ties in form order).
    """

    def __init__(self, forms: list[NameForm]) -> None:
        groups: dict[EntityKind, dict[int, tuple[array[int], list[str]]]] = {}
        for position, form in enumerate(forms):
            name = " ".join(sorted(form.tokens))
            positions, names = groups.setdefault(form.kind, {}).setdefault(
                len(name), (array("L"), []))
            positions.append(position)
            names.append(name)
        self._groups = groups
        self._forms = forms

    def holds(self, kinds: frozenset[EntityKind]) -> bool:
        """Whether any form is of one of `kinds`."""
        return any(kind in self._groups for kind in kinds)

    def closest(self, text: str, kinds: frozenset[EntityKind], limit: int) -> list[NameForm] | None:
        if limit <= 0 or any(ch in text for ch in _RAPIDFUZZ_NOT_SPACE):
            return None
        query = " ".join(sorted(text.split()))
        size = len(query)
        found: list[tuple[float, int]] = []
        for kind in kinds:
            for length, (positions, names) in self._groups.get(kind, {}).items():
                if 200 * min(size, length) / (size + length) < SUGGESTION_CUTOFF - 1e-6:
                    continue
                found.extend((score, positions[index]) for _, score, index in process.extract(
                    query, names, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF,
                    limit=limit))
        found.sort(key=lambda item: (-item[0], item[1]))
        return [self._forms[position] for _, position in found[:limit]]

"""Which names a question mentions: projects, people, programmes and organisations.

`resolve` turns the question's content words (English words through the lexicon, compounds
joined) into a weighted `NameIndex` search and keeps, per kind, the matches good enough to
name something. `Resolution.best` is the one a question names, `Resolution.ambiguous` the
several that fit about equally well ("Kari" when there are two). Cue and filter words weigh
little, so "status" does not make a project called "Statusportal" the subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.language.lexicon import lexicon
from knowledge.language.name_index import EntityKind, NameMatch
from knowledge.language.understanding import Question
from knowledge.language.vocabulary import GLOSSARY, STOPWORDS
from knowledge.portfolio.snapshot import Snapshot

ACCEPT_NAME_COVERAGE = 0.5        # enough of the name was said …
FULLY_EXPLAINED = 0.9             # … or the name explains all the question's words
ALONE_NAME_COVERAGE = 0.3         # … though never on less of the name than this
CONSIDER_NAME_COVERAGE = 0.15     # below this a name is not even offered as a candidate
ACCEPT_QUERY_COVERAGE = 0.25
CLARIFY_QUERY_MARGIN = 0.16
CLARIFY_SCORE_MARGIN = 0.35
MAX_CANDIDATES = 5
CUE_WEIGHT = 0.15            # a cue word's share in query coverage, relative to its idf
CUE_ABSOLUTE = 0.15          # … and of a cue word the index does not know at all
UNKNOWN_ABSOLUTE = 0.5       # a word that matches no name: filler more often than not
KIND_ORDER = (EntityKind.PROJECT, EntityKind.PERSON, EntityKind.PROGRAMME, EntityKind.ORGANIZATION)


@dataclass(frozen=True)
class Resolution:
    """The names a question mentions, per kind: accepted matches, best first."""

    matches: dict[EntityKind, list[NameMatch]]
    mention: str
    unknown_names: tuple[str, ...] = ()   # capitalised words that match nothing: a name?
    unknown_words: tuple[str, ...] = ()   # every content word that matches nothing
    spans: tuple[tuple[int, ...], ...] = ()   # question token positions of each matched word

    def best(self, kind: EntityKind) -> NameMatch | None:
        found = self.matches.get(kind)
        if not found:
            return None
        top = found[0]
        if top.name_coverage >= ACCEPT_NAME_COVERAGE or (
                top.query_coverage >= FULLY_EXPLAINED
                and top.name_coverage >= ALONE_NAME_COVERAGE):
            return top
        return None

    def ambiguous(self, kind: EntityKind) -> list[NameMatch]:
        found = self.matches.get(kind, [])
        if len(found) < 2 or self.best(kind) is None:
            return []
        top = found[0]
        close = [
            m for m in found
            if m.query_coverage >= top.query_coverage - CLARIFY_QUERY_MARGIN
            and m.score >= top.score - CLARIFY_SCORE_MARGIN
        ]
        return close if len(close) > 1 else []


def _words(snapshot: Snapshot, q: Question) -> tuple[list[str], list[tuple[int, ...]]]:
    """The question's name-bearing words, with their token positions.

    An English word or phrase the names do not know becomes its Norwegian words from the
    lexicon (`the wireless network` → `tradlost nett`). Two neighbours that together make a
    known word are joined: `telekom plattform` is the name word `telekomplattform`, not two
    loose words.
    """
    names = snapshot.names
    translated: list[tuple[str, tuple[int, ...]]] = []
    position = 0
    while position < len(q.tokens):
        token = q.tokens[position]
        if token in STOPWORDS:
            position += 1
            continue
        found = None if names.knows(token) else lexicon().english_phrase_at(q.tokens, position)
        if found is not None:
            length, alternatives = found
            chosen = next((a for a in alternatives if all(names.knows(w) for w in a)),
                          alternatives[0])
            span = tuple(range(position, position + length))
            translated.extend((word, span) for word in chosen)
            position += length
            continue
        translated.append((token if names.knows(token) else GLOSSARY.get(token, token),
                           (position,)))
        position += 1
    words: list[str] = []
    spans: list[tuple[int, ...]] = []
    index = 0
    while index < len(translated):
        word, span = translated[index]
        if index + 1 < len(translated):
            following, following_span = translated[index + 1]
            adjacent = following_span != span and min(following_span) == max(span) + 1
            if adjacent and names.knows(word + following):
                words.append(word + following)
                spans.append(tuple(sorted(set(span) | set(following_span))))
                index += 2
                continue
        words.append(word)
        spans.append(span)
        index += 1
    return words, spans


def resolve(snapshot: Snapshot, q: Question) -> Resolution:
    """The names `q` mentions in `snapshot`, per kind, with the words that match nothing."""
    names = snapshot.names
    words, spans = _words(snapshot, q)
    unknown_idf = names.idf("\x00")
    weights: list[float] = []
    unknown_names: list[str] = []
    unknown_words: list[str] = []
    for word, span in zip(words, spans, strict=True):
        is_cue = any(i in q.cues or i in q.filter_positions for i in span)
        known = bool(names.similar_tokens(word))
        if known:
            weights.append(CUE_WEIGHT if is_cue else 1.0)
            continue
        weights.append((CUE_ABSOLUTE if is_cue else UNKNOWN_ABSOLUTE) / unknown_idf)
        shown = q.shown[span[0]]
        if not is_cue:
            unknown_words.append(shown)
            if span[0] > 0 and shown[:1].isupper():
                unknown_names.append(shown)
    for email in q.emails:
        local = email.split("@", 1)[0].replace(".", " ").split()
        words.extend(local)
        weights.extend([1.0] * len(local))
        spans.extend([()] * len(local))
    mention = " ".join(
        " ".join(q.shown[i] for i in span) for span in dict.fromkeys(spans)
        if span and not any(i in q.cues or i in q.filter_positions for i in span)
    )
    if not words:
        return Resolution({}, mention, tuple(unknown_names), tuple(unknown_words),
                          tuple(spans))
    found = snapshot.names.search(words, weights=weights, limit=40)
    by_kind: dict[EntityKind, list[NameMatch]] = {}
    for match in found:
        if (match.name_coverage >= CONSIDER_NAME_COVERAGE
                and match.query_coverage >= ACCEPT_QUERY_COVERAGE
                and any(weights[p] >= 1.0 for p in match.matched_positions)):
            by_kind.setdefault(match.kind, []).append(match)
    return Resolution(by_kind, mention, tuple(unknown_names), tuple(unknown_words),
                      tuple(spans))


def used_positions(resolution: Resolution, *, every_kind: bool = False) -> frozenset[int]:
    """Token positions that the best fully named name used up: its words are not cue
    words. With `every_kind`, those of every kind's fully named best match."""
    spans = resolution.spans
    found: set[int] = set()
    for kind in KIND_ORDER:
        best = resolution.best(kind)
        if best is not None and best.name_coverage >= 0.99:
            found |= {i for p in best.matched_positions if p < len(spans) for i in spans[p]}
            if not every_kind:
                break
    return frozenset(found)


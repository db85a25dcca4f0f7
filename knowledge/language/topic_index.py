"""What projects are about, by word: finds "prosjektet om skannere" without the project's name.

Every project's words (name, aliases, description, status summaries; folded, filler words
left out) go into posting lists. A question word finds the index words that are the same
word in another inflection (`skanner`/`skannere`), a compound that starts or ends with it
(`hjemmeoppfolging` for `oppfolging`), a word sharing its long stem (`selvbetjent` for
`selvbetjening`), what it is about when it ends in -prosjektet (`radiologiprosjektet` →
`radiologi`), or itself with one typo. An unknown compound is not split into known parts:
"marsferd" is no project about March. Each question word weighs by how rare its projects
are, and `find` ranks the projects by the weight of the words they hold.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import itertools
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.language.text import tokens
from knowledge.language.vocabulary import STOPWORDS

MIN_PART = 4            # the shortest word part that a compound is split on
MIN_FUZZY = 6           # the shortest word looked up with a typo
FUZZY_CUTOFF = 0.83     # OSA similarity: one slip (a swapped pair counts once) in 6+ letters
SHARED_STEM = 6         # words sharing this long a start, all but their last 3 letters
PROJECT_WORDS = ("prosjektet", "prosjekter", "prosjekt", "project", "projects")
NAME_BONUS = 1.5       # a word in the name or an alias, over one in the description
EXPAND_LIMIT = 2000     # projects a common word may add as candidates
MAX_FORMS = 40          # index words a single question word may stand for
ENDINGS = ("ene", "ane", "ens", "ets", "er", "ar", "en", "et", "a", "e", "s")


@dataclass(frozen=True, slots=True)
class TopicHit:
    project_id: int
    score: float          # the summed weight of the question words the project holds
    words: int            # how many question words it holds


def stem(word: str) -> str:
    """`word` without a common Norwegian or English inflection ending (kept when short)."""
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_PART:
            return word[: -len(ending)]
    return word


_SHARED: dict[str, str] = {}   # one string per distinct word, across indexes


def _words_of(texts: Iterable[str]) -> set[str]:
    """The folded content words of `texts`."""
    return {_SHARED.setdefault(w, w) for text in texts if text for w in tokens(text)
            if w not in STOPWORDS and len(w) > 1 and not w.isdigit()}


class TopicIndex:
    """An immutable word → projects index; build once per snapshot, query from any thread."""

    def __init__(self, entries: Iterable[tuple[int, Iterable[str], Iterable[str]]]) -> None:
        """`entries`: (project id, its names, its other texts) per project."""
        postings: dict[str, array[int]] = defaultdict(lambda: array("i"))
        named: dict[str, array[int]] = defaultdict(lambda: array("i"))
        projects = 0
        for project_id, names, texts in entries:
            projects += 1
            in_name = _words_of(names)
            for word in in_name:
                named[word].append(project_id)
            for word in in_name | _words_of(texts):
                postings[word].append(project_id)
        self._postings = dict(postings)
        self._named = dict(named)
        self._projects = max(projects, 1)
        self._index_vocabulary()

    def adding(self, texts: Iterable[tuple[int, str]]) -> TopicIndex:
        """A new index with more texts of known projects (a new status report's summary):
        only the posting lists of their words are copied and extended; this one is left as
        it is, for the snapshot that still uses it."""
        grown = copy.copy(self)
        grown._postings = dict(self._postings)
        new_words = False
        for project_id, text in texts:
            for word in _words_of((text,)):
                row = grown._postings.get(word)
                if row is None:
                    grown._postings[word] = array("i", [project_id])
                    new_words = True
                elif row is self._postings.get(word):
                    grown._postings[word] = row = array("i", row)
                    row.append(project_id)
                else:
                    row.append(project_id)
        if new_words:
            grown._index_vocabulary()
        return grown

    def _index_vocabulary(self) -> None:
        """The look-ups over the words themselves: sorted, reversed, by length, by stem."""
        self._sorted = sorted(self._postings)
        self._reversed = sorted(word[::-1] for word in self._postings)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        self._stems: dict[str, list[str]] = defaultdict(list)
        for word in self._sorted:
            self._by_length[len(word)].append(word)
            self._stems[stem(word)].append(word)

    def __len__(self) -> int:
        return len(self._postings)

    def knows(self, word: str) -> bool:
        return word in self._postings

    def holds(self, word: str) -> bool:
        """`word` is an index word in some inflection or compound, not only a typo of one:
        what tells a topic from an unknown name."""
        return bool(self._direct(word))

    def _direct(self, word: str) -> dict[str, None]:
        found: dict[str, None] = {}
        if word in self._postings:
            found[word] = None
        if len(word) < 3:
            return found
        for ending in PROJECT_WORDS:   # "radiologiprosjektet": what the project is about
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                return self._direct(word[: -len(ending)])
        base = stem(word)
        for form in self._stems.get(base, ()):
            found[form] = None
        if len(base) >= MIN_PART + 1:
            for form in self._starting(base):
                found[form] = None
            for ending in dict.fromkeys((word, base)):   # "oppfolgingen" too
                for form in self._ending(ending):
                    found[form] = None
        if not found and len(word) >= SHARED_STEM + 2:   # "selvbetjening", "selvbetjent"
            for form in self._starting(word[: max(SHARED_STEM, len(word) - 3)]):
                if abs(len(form) - len(word)) <= 3:   # not "pasienttransport" for "pasienttmat"
                    found[form] = None
        if not found and len(word) == 3:   # "sky" in "skytjeneste"
            for form in self._starting(word):
                found[form] = None
        return found

    def forms(self, word: str) -> list[str]:
        """The index words that `word` stands for (see the module docstring)."""
        if len(word) < 3:
            return [word] if word in self._postings else []
        found = self._direct(word)
        if not found and len(word) >= MIN_FUZZY:
            # Both words at least MIN_FUZZY long: "kirrug" finds "kirurg", "petter" not "etter".
            choices = [w for n in range(max(MIN_FUZZY, len(word) - 1), len(word) + 2)
                       for w in self._by_length.get(n, ())]
            for match, _, _ in process.extract(word, choices, scorer=OSA.normalized_similarity,
                                               score_cutoff=FUZZY_CUTOFF, limit=3):
                found[match] = None
        return list(found)[:MAX_FORMS]

    def find(self, words: Sequence[str], limit: int = 20) -> list[TopicHit]:
        """The `limit` projects holding most of the question's `words`, best first (most
        weight, then most words); a word in a project's name or alias counts more than one
        in its texts.

        Rare words go first and make the candidates; a word held by more than
        `EXPAND_LIMIT` projects only adds to candidates already found, so a question with a
        common word costs a bounded pass, not one over every project.
        """
        found = [entry for entry in (self._holders(w) for w in dict.fromkeys(words)) if entry]
        found.sort(key=lambda entry: len(entry[0]))
        scores: dict[int, float] = {}
        counts: dict[int, int] = {}
        for ids, in_name in found:
            weight = math.log(1 + self._projects / len(ids))
            chosen = ids if not scores else (
                [p for p in scores if p in ids] if len(ids) > EXPAND_LIMIT else ids)
            for project_id in itertools.islice(chosen, EXPAND_LIMIT if not scores else None):
                bonus = NAME_BONUS if project_id in in_name else 1.0
                scores[project_id] = scores.get(project_id, 0.0) + weight * bonus
                counts[project_id] = counts.get(project_id, 0) + 1
        best = heapq.nlargest(limit, scores, key=lambda p: (scores[p], counts[p], -p))
        return [TopicHit(p, scores[p], counts[p]) for p in best]

    def holding_all(self, words: Sequence[str]) -> frozenset[int]:
        """The projects that hold every one of `words` (in some form)."""
        found = sorted((entry[0] for entry in (self._holders(w) for w in dict.fromkeys(words))
                        if entry), key=len)
        if not found:
            return frozenset()
        chosen = set(found[0])
        for ids in found[1:]:
            chosen.intersection_update(ids)
        return frozenset(chosen)

    def _holders(self, word: str) -> tuple[set[int], set[int]] | None:
        """The projects holding a form of `word`, and those holding it in a name."""
        forms = self.forms(word)
        if not forms:
            return None
        ids: set[int] = set()
        in_name: set[int] = set()
        for form in forms:
            ids.update(self._postings[form])
            in_name.update(self._named.get(form, ()))
        return ids, in_name

    def _starting(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self._sorted, prefix)
        out: list[str] = []
        for word in self._sorted[start: start + MAX_FORMS]:
            if not word.startswith(prefix):
                break
            out.append(word)
        return out

    def _ending(self, suffix: str) -> list[str]:
        backwards = suffix[::-1]
        start = bisect.bisect_left(self._reversed, backwards)
        out: list[str] = []
        for word in self._reversed[start: start + MAX_FORMS]:
            if not word.startswith(backwards):
                break
            if len(word) >= len(suffix) + MIN_PART:
                out.append(word[::-1])
        return out

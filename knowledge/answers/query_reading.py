"""The grammar: from a read question and the names it mentions to one typed `Query`.

One pass decides what is asked (a fact, a list, a count or an overview), about what (a
project, a person, a programme, or projects by topic) and under which filters (health,
phase, transfer status, person and role, programme, organisation, dates, "no report",
topic). The same rules serve every wording: "Hvilke røde prosjekter eier Mona Berg?" is a
list with a health and an owner filter, "Kor mange prosjekt leier Kari?" a count with a
manager filter, "Who is responsible for the pathology project?" a fact found by topic.

`read_query` returns a `Query`, a `Choose` (several entities fit equally well), a `Missing`
(the question names something the portfolio does not hold), or None when the question is
not about the portfolio's projects at all (help, FAQ, small talk decide then).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from knowledge.answers.answers import Intent, Language
from knowledge.answers.name_resolution import KIND_ORDER, Resolution, used_positions
from knowledge.language.dates import FIELD_WORDS, DateCondition
from knowledge.language.lexicon import lexicon
from knowledge.language.name_index import EntityKind, NameMatch
from knowledge.language.query import Ask, DateFilter, Filters, Query
from knowledge.language.topic_index import TopicHit
from knowledge.language.understanding import KNOWN_WORDS, Question
from knowledge.language.vocabulary import (
    CLOSED_WORDS,
    DESCRIPTION_PHRASES,
    DESCRIPTION_WORDS,
    END_WORDS,
    FILLER_WORDS,
    HISTORY_WORDS,
    HOW_GOING_PHRASES,
    NAME_LEAD_WORDS,
    PHASE_WORDS,
    PORTFOLIO_WORDS,
    PROGRAMME_WORDS,
    START_WORDS,
    STOPWORDS,
    SUBJECT_LEADS,
    SUMMARY_WORDS,
    UNSUPPORTED_WORDS,
    WHEN_WORDS,
)
from knowledge.portfolio.model import Role
from knowledge.portfolio.snapshot import Snapshot

TOPIC_CLOSE = 0.8          # a topic hit this close to the best one is as good a candidate
MAX_CHOICES = 5
DATE_WORDS = frozenset().union(*FIELD_WORDS.values())
# Words that say what is asked, never what a project is about.
ASKING_WORDS = (DATE_WORDS | START_WORDS | END_WORDS | DESCRIPTION_WORDS | HISTORY_WORDS
                | PROGRAMME_WORDS | FILLER_WORDS | CLOSED_WORDS | UNSUPPORTED_WORDS
                | WHEN_WORDS)
SINGULAR_PROJECT_WORDS = frozenset({"project", "prosjektet", "prosjekt"})
PROJECT_ENDINGS = ("prosjektet", "prosjekt", "project")
ROLE_INTENT = {Role.OWNER: Intent.OWNER, Role.MANAGER: Intent.MANAGER}
FACT_INTENTS = frozenset({Intent.OWNER, Intent.MANAGER, Intent.PEOPLE, Intent.STATUS,
                          Intent.TRANSFER, Intent.OVERVIEW})


@dataclass(frozen=True, slots=True)
class Choose:
    """Several entities fit about equally well: ask which one, then answer `intent`. `ids`
    holds every one that fits, best first; a clarification shows the first `MAX_CHOICES`."""

    kind: EntityKind
    ids: tuple[int, ...]
    intent: Intent
    mention: str


@dataclass(frozen=True, slots=True)
class Missing:
    """The question names a project or person that the portfolio does not hold."""

    mention: str


Reading = Query | Choose | Missing | None


def read_query(snapshot: Snapshot, q: Question, resolution: Resolution) -> Reading:
    """The query `q` asks (see the module docstring)."""
    return Grammar(snapshot, q, resolution).read()


class Grammar:
    """One question's reading; besides `read`, what a follow-up needs to know of it
    (`asked_fact`, `own_filters`, `names_something`)."""

    def __init__(self, snapshot: Snapshot, q: Question, resolution: Resolution) -> None:
        self.s, self.q, self.r = snapshot, q, resolution
        self.used = used_positions(resolution)
        self.words = q.tokens
        self.intents = q.cue_intents(excluding=self.used) & FACT_INTENTS
        self.project = resolution.best(EntityKind.PROJECT)
        self.person = resolution.best(EntityKind.PERSON)
        self.programme = resolution.best(EntityKind.PROGRAMME)
        self.organization = resolution.best(EntityKind.ORGANIZATION)
        self.name_positions = self._name_positions()

    # ----------------------------------------------------------------- for follow-ups
    def asked_fact(self) -> Intent:
        """What the question asks about a subject, from its cue words (OVERVIEW: nothing)."""
        return self._project_fact()

    def own_filters(self) -> Filters:
        """The list filters the question names itself, a person with a role included."""
        filters = self._filters(scope=True)
        person = self.person
        if person is None or self.r.ambiguous(EntityKind.PERSON):
            return filters
        role = self.q.role_filter(self.used)
        intent = ROLE_INTENT.get(role) if role else None
        if intent is Intent.OWNER:
            return replace(filters, owner_id=person.entity_id)
        if intent is Intent.MANAGER:
            return replace(filters, manager_id=person.entity_id)
        return replace(filters, person_id=person.entity_id)

    def names_something(self) -> bool:
        """The question names a subject of its own (a name, or a topic it was found by)."""
        return bool(self.name_positions) or self._first_name() is not None

    # ----------------------------------------------------------------- deciding
    def read(self) -> Reading:
        q = self.q
        count = q.count_cue
        plural = q.plural_projects or (
            q.language is Language.NN and (count or q.list_cue) and "prosjekt" in self.words)
        singular = not plural and any(w in SINGULAR_PROJECT_WORDS for w in self.words)
        wants_list = count or (q.list_cue and plural) or (
            q.has_filters and (plural or (q.list_cue and not singular)))
        project, person = self.project, self.person
        if project is not None and self._beaten(project):
            project = None
        if person is not None and project is not None and not _beats(person, self.r):
            person = None
        if self._asks_summary(project, person, wants_list):
            return Query(Ask.SUMMARY, Intent.SUMMARY, filters=self._filters(scope=True))
        if self._asks_programme_fact(project, person, wants_list, plural):
            assert self.programme is not None
            return Query(Ask.FACT, Intent.PROGRAMME_STATUS, EntityKind.PROGRAMME,
                         self.programme.entity_id)
        if person is None and project is None:
            first_name = self._first_name()
            if first_name is not None:
                position, ids = first_name
                self.name_positions = self.name_positions | {position}
                return self._about_person(ids, wants_list, count, self.q.shown[position])
        strangers = self._strangers()
        if strangers and not self.name_positions:
            return Missing(self.r.mention)
        if person is not None:
            close = self.r.ambiguous(EntityKind.PERSON)
            ids = tuple(m.entity_id for m in close) if close else (person.entity_id,)
            return self._about_person(ids, wants_list, count)
        if project is not None and wants_list and plural and not count \
                and self._others_hold_every_word(project):
            # "Hvilke prosjekter handler om talegjenkjenning?" asks for every project about
            # it, even when one project has that word as its alias.
            return self._list(count, self._topic_words(keep=EntityKind.PROJECT))
        if project is not None and not wants_list and self._topic_says_otherwise(project):
            return self._about_topic(self._topic_words(keep=EntityKind.PROJECT, phases=True))
        if project is not None and not (wants_list and not (
                project.name_coverage >= 0.99 and not count)):
            if self._strangers(capitalised_only=True) and project.query_coverage < 0.99:
                return Missing(self.r.mention)
            close = self.r.ambiguous(EntityKind.PROJECT)
            if close and wants_list:   # "Hvilke prosjekter handler om trådløst nett?"
                return self._list(count, self._topic_words(keep=EntityKind.PROJECT))
            if close:
                return self._choose(EntityKind.PROJECT, close)
            return Query(Ask.FACT, self._project_fact(), EntityKind.PROJECT, project.entity_id)
        topic = self._topic_words()
        if wants_list or (plural and topic):
            # In a list, a project's name is a topic: "prosjekter om skannere".
            return self._list(count, self._topic_words(keep=EntityKind.PROJECT))
        if topic:
            if strangers:
                return Missing(self.r.mention)
            return self._about_topic(self._topic_words(phases=True))
        if self.programme is not None or self.organization is not None:
            return self._list(count, ())
        if q.has_filters and (q.list_cue or plural or count):
            return self._list(count, ())
        if strangers or (self.intents and self.r.unknown_words):
            return Missing(self.r.mention)
        return None

    def _asks_summary(self, project: NameMatch | None, person: NameMatch | None,
                      wants_list: bool) -> bool:
        if project is not None or person is not None or self.q.count_cue:
            return False
        words = self.words
        summary = any(w in SUMMARY_WORDS for w in words) or any(
            _has_phrase(words, phrase) for phrase in HOW_GOING_PHRASES)
        portfolio = any(w in PORTFOLIO_WORDS for w in words)
        scoped = self.programme is not None or self.organization is not None
        listing = self.q.list_cue and self.q.plural_projects
        return summary and (portfolio or scoped) and not listing

    def _asks_programme_fact(self, project: NameMatch | None, person: NameMatch | None,
                             wants_list: bool, plural: bool) -> bool:
        programme = self.programme
        if programme is None or project is not None or person is not None:
            return False
        if wants_list or plural or self.q.count_cue:
            return False
        return any(w in CLOSED_WORDS or w in WHEN_WORDS for w in self.words)

    # ----------------------------------------------------------------- people
    def _about_person(self, ids: tuple[int, ...], wants_list: bool, count: bool,
                      mention: str | None = None) -> Reading:
        """About the person `ids` holds, or a choice when it holds several."""
        role = self.q.role_filter(self.used)
        intent = ROLE_INTENT.get(role, Intent.PERSON_PROJECTS) if role else Intent.PERSON_PROJECTS
        if len(ids) > 1:
            return Choose(EntityKind.PERSON, ids, intent,
                          mention or self.r.mention)
        person_id = ids[0]
        filters = self._filters(scope=True)
        if not count and filters.is_empty():
            return Query(Ask.FACT, intent, EntityKind.PERSON, person_id)
        if intent is Intent.OWNER:
            filters = replace(filters, owner_id=person_id)
        elif intent is Intent.MANAGER:
            filters = replace(filters, manager_id=person_id)
        else:
            filters = replace(filters, person_id=person_id)
        return Query(Ask.COUNT if count else Ask.LIST, Intent.LIST, filters=filters)

    # ----------------------------------------------------------------- projects
    def _project_fact(self) -> Intent:
        words, intents = self.words, self.intents
        when = any(w in WHEN_WORDS for w in words)
        if any(w in HISTORY_WORDS for w in words):
            return Intent.HISTORY
        if not intents & {Intent.OWNER, Intent.MANAGER, Intent.PEOPLE, Intent.TRANSFER} and any(
                _has_phrase(words, phrase) for phrase in DESCRIPTION_PHRASES[:3]):
            return Intent.DESCRIPTION
        if Intent.TRANSFER in intents:
            return Intent.TRANSFER
        if when and any(w in START_WORDS for w in words):
            return Intent.START
        if (when and any(w in END_WORDS for w in words)) or any(
                w in ("sluttdato", "deadline") for w in words):
            return Intent.PLANNED_END
        people = intents & {Intent.OWNER, Intent.MANAGER, Intent.PEOPLE}
        if len(people) == 1:
            return people.pop()
        if people:
            return Intent.PEOPLE
        if Intent.STATUS in intents:
            return Intent.STATUS
        if any(w in PROGRAMME_WORDS for w in words) and self.programme is None:
            return Intent.PROGRAMME
        what_about = words[:2] in (("what", "about"), ("how", "about"))   # a new subject
        if any(w in DESCRIPTION_WORDS for w in words) or (any(
                _has_phrase(words, phrase) for phrase in DESCRIPTION_PHRASES) and (
                self.q.language is not Language.EN or words[:1] == ("what",))
                and not what_about):
            return Intent.DESCRIPTION
        if self.q.asks_who:
            return Intent.PEOPLE
        return Intent.OVERVIEW

    def _topic_says_otherwise(self, match: NameMatch) -> bool:
        """Only part of a name matched ("pasient" of "Pasienttransport"), while one other
        project holds every one of the question's words in what it is about: "the patient
        meals project" is the one about `pasientmat`."""
        if match.name_coverage >= 0.99 and not self.r.ambiguous(EntityKind.PROJECT):
            return False
        terms = [t for t in self._terms(self._topic_words(keep=EntityKind.PROJECT, phases=True))
                 if self.s.topics.forms(t)]
        if not terms:
            return False
        hits = self.s.topics.find(terms, limit=2)
        if not hits or hits[0].words < len(terms) or hits[0].project_id == match.entity_id:
            return False
        return len(hits) == 1 or hits[1].score < hits[0].score * TOPIC_CLOSE

    def _others_hold_every_word(self, match: NameMatch) -> bool:
        """Another project holds every one of the question's words in what it is about."""
        terms = [t for t in self._terms(self._topic_words(keep=EntityKind.PROJECT))
                 if self.s.topics.forms(t)]
        return bool(terms) and any(hit.project_id != match.entity_id and hit.words >= len(terms)
                                   for hit in self.s.topics.find(terms, limit=5))

    def _beaten(self, match: NameMatch) -> bool:
        """Another kind's best match is clearly better (e.g. a person's full name)."""
        return not all(
            other is None or other.kind is match.kind or match.score >= other.score - 0.1
            for other in (self.r.best(kind) for kind in KIND_ORDER))

    # ----------------------------------------------------------------- topics
    def _topic_words(self, keep: EntityKind | None = None, *,
                     phases: bool = False) -> tuple[str, ...]:
        """Content words no name, cue, filter or date used: what the projects are about;
        with `keep`, the words of that kind's name count as topic words too, and with
        `phases` phase words ("surgery planning": a fact question has no phase filter)."""
        out: list[str] = []
        q = self.q
        named = self.name_positions - self._name_positions({keep}) if keep else (
            self.name_positions)
        for position, word in enumerate(self.words):
            filtered = position in q.filter_positions and not (phases and word in PHASE_WORDS)
            if (word in STOPWORDS or (word in ASKING_WORDS and word not in UNSUPPORTED_WORDS)
                    or position in q.cues or filtered or position in named
                    or len(word) < 3 or word.isdigit()):
                continue
            out.append(word)
        return tuple(out)

    def _topic_hits(self, words: tuple[str, ...]) -> list[TopicHit]:
        return self.s.topics.find(self._terms(words))

    def _terms(self, words: tuple[str, ...]) -> list[str]:
        """The topic words as the projects' texts say them: English phrases through the
        lexicon ("access points" → "aksesspunkter"), each word as it is when known."""
        return self._joined([t for _, terms in self._translations(words) for t in terms])

    def _translations(self, words: tuple[str, ...]) -> list[tuple[tuple[str, ...], list[str]]]:
        """Each run of the question's topic words with the words the texts would use."""
        out: list[tuple[tuple[str, ...], list[str]]] = []
        position = 0
        while position < len(words):
            word = words[position]
            found = None if self.s.topics.holds(word) else lexicon().english_phrase_at(
                words, position)
            if found is not None and found[0] > 1:
                length, alternatives = found
                chosen = next((a for a in alternatives
                               if all(self.s.topics.forms(w) for w in a)), None)
                if chosen is not None:
                    out.append((words[position: position + length], list(chosen)))
                    position += length
                    continue
            out.append(((word,), self._translated(word)))
            position += 1
        return out

    def _joined(self, terms: list[str]) -> list[str]:
        """Neighbours that make one word of the projects' texts joined: "pasient flyt" is
        `pasientflyt`, "sikkerhet overvakning" `sikkerhetsovervakning`."""
        out: list[str] = []
        index = 0
        while index < len(terms):
            if index + 1 < len(terms):
                for glue in ("", "s", "e"):
                    joined = terms[index] + glue + terms[index + 1]
                    if self.s.topics.holds(joined):
                        out.append(joined)
                        index += 2
                        break
                else:
                    out.append(terms[index])
                    index += 1
                continue
            out.append(terms[index])
            index += 1
        return out

    def _translated(self, word: str) -> list[str]:
        """`word`, or its Norwegian words when the projects' texts do not hold it."""
        if self.s.topics.forms(word):
            return [word]
        alternatives = lexicon().norwegian(word)
        for alternative in alternatives:
            if all(self.s.topics.forms(w) for w in alternative):
                return list(alternative)
        return list(alternatives[0]) if alternatives else [word]

    def _about_topic(self, words: tuple[str, ...]) -> Reading:
        asked = self.q.cue_intents() - {Intent.OVERVIEW} or self.q.asks_who or any(
            w in HISTORY_WORDS or w in START_WORDS or w in END_WORDS or w in DESCRIPTION_WORDS
            or w in PROGRAMME_WORDS or w in NAME_LEAD_WORDS or w.endswith(PROJECT_ENDINGS)
            for w in self.words) or any(
            _has_phrase(self.words, phrase) for phrase in DESCRIPTION_PHRASES) or any(
            self.q.tokens[:len(lead)] == lead for lead in SUBJECT_LEADS)
        if not asked:
            return None   # words about something, but no question about a project
        known = tuple(w for w in self._terms(words) if self.s.topics.forms(w))
        if not known or self._unknown_beside_known(words):
            return Missing(" ".join(self._shown(words)))
        hits = self.s.topics.find(known)
        if not hits:
            return Missing(" ".join(words)) if self.intents or self.q.asks_who else None
        top = hits[0]
        close = [h for h in hits if h.score >= top.score * TOPIC_CLOSE and h.words >= top.words]
        fact = self._project_fact()
        if len(close) > 1:
            return Choose(EntityKind.PROJECT, tuple(h.project_id for h in close),
                          fact, " ".join(self._shown(words)))
        return Query(Ask.FACT, fact, EntityKind.PROJECT, top.project_id, by_topic=True)

    def _unknown_beside_known(self, words: tuple[str, ...]) -> bool:
        """A word that nothing knows, right next to one the topics know: "the blockchain
        pilot" names a project the portfolio does not hold, not any pilot."""
        known: set[str] = set()
        unknown: set[str] = set()
        for sources, terms in self._translations(words):
            joined = self._joined(terms)
            if any(self.s.topics.forms(t) for t in joined):
                known.update(sources)
            elif not lexicon().norwegian(sources[0]):
                unknown.update(w for w in sources if len(w) >= 4
                               and not self.s.names.similar_tokens(w))
        positions = {w: i for i, w in enumerate(self.words)}
        if len(unknown) >= 2 and len(unknown) > len(known):
            return True   # mostly words nothing knows: not a question about these projects
        return any(positions.get(w, -9) - 1 in {positions.get(k) for k in known}
                   or positions.get(w, -9) + 1 in {positions.get(k) for k in known}
                   for w in unknown)

    # ----------------------------------------------------------------- lists
    def _list(self, count: bool, topic: tuple[str, ...]) -> Reading:
        filters = self._filters(scope=True)
        unsupported = self._shown(tuple(w for w in topic if w in UNSUPPORTED_WORDS))
        topic = tuple(w for w in topic if w not in UNSUPPORTED_WORDS)
        if unsupported:
            topic = ()
        if topic:
            terms = self._terms(topic)
            ids = self.s.topics.holding_all(terms) or frozenset(
                hit.project_id for hit in self.s.topics.find(terms, limit=50))
            if ids:
                filters = replace(filters, topic=self._shown(topic), topic_ids=ids)
            else:
                unsupported = self._shown(topic)
        return Query(Ask.COUNT if count else Ask.LIST, Intent.LIST, filters=filters,
                     unsupported=unsupported)

    def _filters(self, *, scope: bool) -> Filters:
        q = self.q
        programme = self.programme.entity_id if scope and self.programme else None
        organization = self.organization.entity_id if scope and self.organization else None
        transfer_organization = None
        if organization is not None and q.transfer_statuses:
            organization, transfer_organization = None, organization
        return Filters(
            health=q.health, phases=q.phases, transfer=q.transfer_statuses,
            programme_id=programme, organization_id=organization,
            transfer_organization_id=transfer_organization,
            dates=tuple(_date_filter(c) for c in q.dates), no_report=q.no_report)

    # ----------------------------------------------------------------- helpers
    def _choose(self, kind: EntityKind, matches: list[NameMatch],
                intent: Intent | None = None) -> Choose:
        return Choose(kind, tuple(m.entity_id for m in matches),
                      intent or self._project_fact(), self.r.mention)

    def _first_name(self) -> tuple[int, tuple[int, ...]] | None:
        """A word that is someone's first name and nothing else the question names: its
        position and the people who have it."""
        q = self.q
        for position, word in enumerate(self.words):
            if (position in self.name_positions or position in q.cues or word in STOPWORDS
                    or position in q.filter_positions):
                continue
            ids = self.s.first_names.get(word)
            if ids and not self.s.names.knows(word + "\x00"):
                return position, ids
        return None

    def _name_positions(self, kinds: set[EntityKind] | None = None) -> frozenset[int]:
        """Positions of words that an accepted name (of `kinds`, or any) used."""
        spans = self.r.spans
        positions: set[int] = set()
        for kind in kinds or KIND_ORDER:
            best = self.r.best(kind)
            if best is not None:
                positions |= {i for p in best.matched_positions if p < len(spans)
                              for i in spans[p]}
        return frozenset(positions)

    def _strangers(self, *, capitalised_only: bool = False) -> tuple[str, ...]:
        """Words that look like a name the portfolio does not hold: capitalised inside the
        sentence, or right after "prosjektet"/"project", and unknown to names and topics."""
        q = self.q
        found: list[str] = []
        for position, word in enumerate(self.words):
            if (position in self.name_positions or position in q.cues
                    or position in q.filter_positions or word in STOPWORDS or len(word) < 4
                    or word in ASKING_WORDS or word in KNOWN_WORDS):
                continue
            shown = q.shown[position]
            capitalised = position > 0 and shown[:1].isupper() and not shown.isupper()
            after_lead = (not capitalised_only and position > 0
                          and self.words[position - 1] in NAME_LEAD_WORDS)
            if (capitalised or after_lead) and not self.s.names.similar_tokens(word) and not (
                    self.s.topics.holds(word)):
                found.append(shown)
        return tuple(found)

    def _shown(self, words: tuple[str, ...]) -> tuple[str, ...]:
        shown = dict(zip(self.words, self.q.shown, strict=False))
        return tuple(shown.get(w, w) for w in words)


def _date_filter(condition: DateCondition) -> DateFilter:
    return DateFilter(condition.field, condition.range, condition.negated)


def _has_phrase(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[i: i + size] == phrase for i in range(len(words) - size + 1))


def _beats(match: NameMatch, resolution: Resolution) -> bool:
    """`match` is at least as good as the best match of any other kind."""
    return all(
        other is None or other.kind is match.kind or match.score >= other.score
        for other in (resolution.best(kind) for kind in KIND_ORDER))


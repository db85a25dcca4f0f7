"""Multi-turn conversation scripts, filled from the connected portfolio (issue 15).

`knowledge/data/conversation_scripts.json` holds the scripts (data only; its "about" gives
the format). A script has a name, a kind, a language, a scope (personal, group or channel),
slots in the templated evaluation's format ("p": "project has-report", see
knowledge/answers/question_templates.py) plus one slot type of its own, `mention` (a word two
or three projects' names start with), and 2-6 turns: who speaks ("A" or "B"), what they say
(placeholders `{p}`, `{p.short}`, `{who.first~typo}`, `{m.rest}` …) and what the reply must
show (`turn_answers.expect_turn`).

`script_run(records, today)` instantiates every script deterministically, as the templates
are: the random generator is seeded with the script's position, each slot's candidates are
shuffled and the first binding for which every turn is fair is taken (two slots of one type
never get the same value). A script nothing fits is skipped and reported.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

from knowledge.answers.oracle import Asked, Facts, Topic, Unfit
from knowledge.answers.question_templates import (
    IMPLIED,
    LANGUAGES,
    MODIFIERS,
    PLACEHOLDER,
    SLOT_TYPES,
    Slot,
    candidates,
    load_templates,
    modify,
    value_text,
)
from knowledge.portfolio.snapshot import PortfolioRecords
from tests.conversation.expectations import Expectation
from tests.conversation.turn_answers import (
    Conversation,
    ScriptError,
    SharedName,
    expect_turn,
    shared_names,
)

KINDS = ("pronoun", "new_subject", "narrow", "more", "pick", "correction", "per_person",
         "independent")
SCOPES = ("personal", "group", "channel")
SPEAKERS = ("A", "B")
TYPES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **SLOT_TYPES, "mention": (frozenset(), frozenset({"rest"}))}
EXPECTATION_KEYS = ("fact", "list", "more", "all", "clarify", "picked", "person_projects",
                    "person", "programme", "not_about")
SLIPS = frozenset({"typo", "ascii", "plain"})
MAX_BINDINGS = 400
MIN_TURNS, MAX_TURNS = 2, 6


@dataclass(frozen=True)
class TurnSpec:
    who: str
    say: str
    expect: Mapping[str, Any]


@dataclass(frozen=True)
class ScriptSpec:
    index: int
    name: str
    kind: str
    language: str
    scope: str
    slots: tuple[Slot, ...]
    turns: tuple[TurnSpec, ...]
    tags: tuple[str, ...] = ()

    def modifiers(self) -> set[str]:
        return {m for turn in self.turns for match in PLACEHOLDER.finditer(turn.say)
                for m in match.group(3).split("~") if m}

    @property
    def has_slips(self) -> bool:
        """Typos or missing æøå in some turn (a modifier, or written so: a tag says it)."""
        return bool(self.modifiers() & SLIPS) or bool({"typo-text", "ascii-text"} & set(self.tags))


@dataclass(frozen=True)
class Turn:
    who: str
    text: str
    expectation: Expectation


@dataclass(frozen=True)
class Script:
    spec: ScriptSpec
    turns: tuple[Turn, ...]

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def language(self) -> str:
        return self.spec.language

    @property
    def scope(self) -> str:
        return self.spec.scope


@dataclass(frozen=True)
class ScriptRun:
    """The instantiated scripts of one portfolio, and the scripts nothing fitted."""

    scripts: list[Script]
    skipped: list[str]


# ------------------------------------------------------------------------------ loading
def load_script_specs() -> list[ScriptSpec]:
    raw = resources.files("knowledge").joinpath("data/conversation_scripts.json").read_text(
        "utf-8")
    return parse_scripts(json.loads(raw))


def parse_scripts(data: Mapping[str, Any]) -> list[ScriptSpec]:
    specs = [_script(n, item) for n, item in enumerate(data["scripts"])]
    names = [spec.name for spec in specs]
    doubles = sorted({name for name in names if names.count(name) > 1})
    if doubles:
        raise ScriptError(f"script names used twice: {doubles}")
    return specs


def _script(index: int, item: Mapping[str, Any]) -> ScriptSpec:
    def fail(why: str) -> ScriptError:
        return ScriptError(f"script #{index} {item.get('name')!r}: {why}")

    name, kind, language, scope = (item.get(k) for k in ("name", "kind", "lang", "scope"))
    if not isinstance(name, str) or kind not in KINDS or language not in LANGUAGES \
            or scope not in SCOPES:
        raise fail(f"needs a name, kind in {KINDS}, lang in {LANGUAGES}, scope in {SCOPES}")
    slots: dict[str, Slot] = {}
    for slot_name, spec in dict(item.get("slots", {})).items():
        words = str(spec).split()
        if not words or words[0] not in TYPES or set(words[1:]) - TYPES[words[0]][0]:
            raise fail(f"slot {slot_name!r}: {spec!r} is no type with its predicates")
        slots[slot_name] = Slot(slot_name, words[0], frozenset(words[1:]))
    raw_turns = item.get("turns")
    if not isinstance(raw_turns, list) or not MIN_TURNS <= len(raw_turns) <= MAX_TURNS:
        raise fail(f"needs {MIN_TURNS}-{MAX_TURNS} turns")
    turns: list[TurnSpec] = []
    for raw in raw_turns:
        who, say, expect = raw.get("who", "A"), raw.get("say"), raw.get("expect")
        if who not in SPEAKERS or not isinstance(say, str) or not isinstance(expect, dict):
            raise fail(f"turn {raw!r}: needs who A or B, say and expect")
        if who == "B" and scope == "personal":
            raise fail("a personal chat has one person in it")
        if len(main_keys(expect)) != 1:
            raise fail(f"turn {say!r}: expect needs one of {EXPECTATION_KEYS}")
        _check_placeholders(say, slots, fail)
        slots.update(_implied(say, slots))
        turns.append(TurnSpec(who, say, expect))
    if kind == "per_person" and (scope == "personal" or {t.who for t in turns} != {"A", "B"}):
        raise fail("per_person needs a group chat or channel and both A and B")
    return ScriptSpec(index, name, kind, language, scope, tuple(slots.values()), tuple(turns),
                      tuple(item.get("tags", ())))


def main_keys(expect: Mapping[str, Any]) -> set[str]:
    """The kinds of expectation a spec names: a pick's or a stranger's "fact" or "person"
    says which answer, not a kind of its own."""
    keys = set(expect) & set(EXPECTATION_KEYS)
    return keys - {"fact", "person"} if keys & {"picked", "not_about"} else keys


def _check_placeholders(text: str, slots: Mapping[str, Slot], fail: Any) -> None:
    for match in PLACEHOLDER.finditer(text):
        slot = slots.get(match.group(1))
        if slot is None:
            raise fail(f"placeholder {match.group(0)} names no slot")
        if match.group(2) and match.group(2) not in TYPES[slot.type][1]:
            raise fail(f"a {slot.type} has no .{match.group(2)}")
        if not set(filter(None, match.group(3).split("~"))) <= set(MODIFIERS):
            raise fail(f"modifiers are {MODIFIERS}")
    if re.search(r"[{}]", PLACEHOLDER.sub("", text)):
        raise fail("a brace that is no placeholder")


def _implied(text: str, slots: Mapping[str, Slot]) -> dict[str, Slot]:
    """Attributes that need a predicate: `{p.short}` wants a project with a short name."""
    found: dict[str, Slot] = {}
    for match in PLACEHOLDER.finditer(text):
        slot = found.get(match.group(1), slots[match.group(1)])
        predicate = IMPLIED.get((slot.type, match.group(2) or ""))
        if predicate:
            found[slot.name] = Slot(slot.name, slot.type, slot.predicates | {predicate})
    return found


# ----------------------------------------------------------------------- instantiation
def script_run(records: PortfolioRecords, today: date,
               specs: Sequence[ScriptSpec] | None = None) -> ScriptRun:
    """Every script instantiated on `records`, spoken on `today`."""
    facts = Facts(records, today)
    topics = facts.topics(load_templates().glossary)
    mentions = shared_names(facts)
    scripts: list[Script] = []
    skipped: list[str] = []
    for spec in load_script_specs() if specs is None else specs:
        try:
            scripts.append(instantiate(spec, facts, topics, mentions))
        except Unfit as why:
            skipped.append(f"#{spec.index} {spec.name} [{spec.kind} {spec.language} "
                           f"{spec.scope}]: {why}")
    return ScriptRun(scripts, skipped)


def instantiate(spec: ScriptSpec, facts: Facts, topics: Sequence[Topic],
                mentions: Sequence[SharedName]) -> Script:
    """The script about the first fair binding of its slots; Unfit when there is none."""
    rng = random.Random(spec.index)
    pools: list[list[Any]] = []
    for slot in spec.slots:
        pool = list(mentions) if slot.type == "mention" else candidates(slot, facts, topics)
        rng.shuffle(pool)
        pools.append(pool)
    why: Unfit | None = None
    for values in itertools.islice(itertools.product(*pools), MAX_BINDINGS):
        binding = {slot.name: value for slot, value in zip(spec.slots, values, strict=True)}
        try:
            distinct(spec.slots, binding)
            expectations = expected_replies(spec, binding, facts)
        except Unfit as unfit:
            why = unfit
            continue
        turns = tuple(Turn(turn.who, render(turn.say, binding, spec.language, rng, facts),
                           expectation)
                      for turn, expectation in zip(spec.turns, expectations, strict=True))
        return Script(spec, turns)
    raise why or Unfit("no candidate for " + ", ".join(
        f"{slot.name} ({slot.type} {' '.join(sorted(slot.predicates))})".strip()
        for slot, pool in zip(spec.slots, pools, strict=True) if not pool))


def expected_replies(spec: ScriptSpec, binding: Mapping[str, Any],
                     facts: Facts) -> list[Expectation]:
    """Each turn's expectation, in order: a turn may continue what an earlier one left."""
    conversation = Conversation()
    return [expect_turn(turn.expect, binding, facts,
                        Asked(turn.say, spec.language, spec.kind, (spec.name,)), conversation)
            for turn in spec.turns]


def distinct(slots: Sequence[Slot], binding: Mapping[str, Any]) -> None:
    """Two slots of one type are two different things; a project slot is none of a
    mention's projects (a question about it is then plainly about something else)."""
    for first, second in itertools.combinations(slots, 2):
        if first.type == second.type and binding[first.name] == binding[second.name]:
            raise Unfit(f"{first.name} and {second.name} got the same value")
    shared = {p for value in binding.values() if isinstance(value, SharedName)
              for p in value.projects}
    if any(binding[s.name] in shared for s in slots if s.type == "project"):
        raise Unfit("a project slot got one of the mention's projects")


def render(text: str, binding: Mapping[str, Any], language: str, rng: random.Random,
           facts: Facts) -> str:
    def fill(match: re.Match[str]) -> str:
        value, attribute = binding[match.group(1)], match.group(2) or ""
        if isinstance(value, SharedName):
            said = value.rest if attribute == "rest" else value.text
        else:
            said = value_text(value, attribute, language, rng, facts)
        for modifier in filter(None, match.group(3).split("~")):
            said = modify(said, modifier, rng)
        return said

    return PLACEHOLDER.sub(fill, text)

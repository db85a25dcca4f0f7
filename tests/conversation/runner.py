"""Conversation scripts run against the real bot over HTTP, as Teams would send them.

`run_scripts` posts every turn of every script to the bot's `/api/messages` as a Teams
activity (`bot.cli.teams_activities.TeamsScene`) whose `serviceUrl` is the connector stand-in
(`bot.cli.local_connector.LocalConnector`), waits for the bot's reply in that conversation
and checks what a person sees of it (`RecordedActivity.shown_text`).

Every script gets conversations and people of its own, so no script can lean on another's
turns: a personal script its own 1:1 chat, a group script its own group chat, a channel
script its own channel and thread (`19:…@thread.tacv2;messageid=<root>`, the bot
@mentioned). A and B are two people with different AAD object ids and Teams ids. Scripts run
side by side (their turns in order); every wait is bounded.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from aiohttp import ClientSession

from bot.cli.local_connector import LocalConnector, RecordedActivity
from bot.cli.teams_activities import TeamsScene
from tests.conversation.expectations import check_reply
from tests.conversation.scripts import KINDS, Script, Turn

REQUIRED_TURN_ACCURACY = 0.95
PEOPLE = {"A": "Aud Testbruker", "B": "Bent Testbruker"}   # nobody in either portfolio


@dataclass(frozen=True)
class TurnOutcome:
    script: Script
    number: int            # 1-based
    turn: Turn
    reply: str
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def scenes_for(script: Script, service_url: str) -> dict[str, TeamsScene]:
    """A and B in a conversation of this script's own."""
    tag = uuid.uuid4().hex
    scenes: dict[str, TeamsScene] = {}
    for who, name in PEOPLE.items():
        scene = TeamsScene(service_url=service_url, scope=script.scope,  # type: ignore[arg-type]
                           user_name=name, aad_object_id=str(uuid.uuid4()))
        if script.scope == "personal":
            scene = scene.with_options(conversation_id=f"a:1{tag}{who}")
        elif script.scope == "group":
            scene = scene.with_options(conversation_id=f"19:{tag}@thread.v2")
        else:
            scene = scene.with_options(channel_id=f"19:{tag}@thread.tacv2")
        scenes[who] = scene
    return scenes


def is_reply_in(conversation_id: str) -> Callable[[RecordedActivity], bool]:
    return lambda a: (a.type == "message" and a.conversation_id == conversation_id
                      and a.operation in ("send", "reply"))


async def run_script(script: Script, bot_url: str, connector: LocalConnector,
                     client: ClientSession, reply_timeout: float) -> list[TurnOutcome]:
    scenes = scenes_for(script, connector.url)
    root: str | None = None               # a channel thread's root message id
    clarifications: dict[str, str] = {}
    outcomes: list[TurnOutcome] = []
    for number, turn in enumerate(script.turns, start=1):
        activity = scenes[turn.who].message(turn.text, thread_id=root)
        if script.scope == "channel" and root is None:
            root = activity["id"]
        conversation_id = activity["conversation"]["id"]
        seen = len(connector.activities)
        reply = ""
        problems: tuple[str, ...] = ()
        async with client.post(bot_url, json=activity) as response:
            status = response.status
            await response.read()
        if status >= 300:
            problems = (f"the bot answered HTTP {status}",)
        else:
            try:
                replies = await connector.wait_for(is_reply_in(conversation_id),
                                                   timeout=reply_timeout, since=seen)
                reply = "\n".join(a.shown_text for a in replies)
                problems = check_reply(turn.expectation, reply, clarifications)
            except TimeoutError:
                problems = (f"no reply within {reply_timeout:g} s",)
        if turn.expectation.clarifies:
            clarifications[turn.expectation.clarifies] = reply
        outcomes.append(TurnOutcome(script, number, turn, reply, tuple(problems)))
    return outcomes


async def run_scripts(scripts: Sequence[Script], bot_url: str, connector: LocalConnector, *,
                      side_by_side: int = 8, reply_timeout: float = 10.0,
                      deadline: float = 150.0) -> list[TurnOutcome]:
    """Every turn's outcome, scripts in the given order; TimeoutError past `deadline` s."""
    gate = asyncio.Semaphore(side_by_side)
    async with ClientSession() as client:
        async def one(script: Script) -> list[TurnOutcome]:
            async with gate:
                return await run_script(script, bot_url, connector, client, reply_timeout)

        async with asyncio.timeout(deadline):
            results = await asyncio.gather(*(one(script) for script in scripts))
    return [outcome for outcomes in results for outcome in outcomes]


# ------------------------------------------------------------------------------ figures
def accuracy(outcomes: Sequence[TurnOutcome]) -> float:
    return sum(o.passed for o in outcomes) / len(outcomes) if outcomes else 0.0


def tally(outcomes: Iterable[TurnOutcome], key: Callable[[TurnOutcome], str]
          ) -> dict[str, tuple[int, int]]:
    """(turns right, turns) per key, keys in first-seen order."""
    totals: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for outcome in outcomes:
        totals[key(outcome)] += 1
        right[key(outcome)] += outcome.passed
    return {k: (right[k], totals[k]) for k in totals}


def figures(outcomes: Sequence[TurnOutcome]) -> str:
    """Turns right per kind, language and scope, and scripts right to the end."""
    def line(name: str, counts: tuple[int, int]) -> str:
        right, total = counts
        return f"{name:>12}: {right}/{total} = {right / total:.1%}"

    kinds = tally(outcomes, lambda o: o.script.kind)
    lines = [line(kind, kinds[kind]) for kind in KINDS if kind in kinds]
    for title, key in (("language", lambda o: o.script.language),
                       ("scope", lambda o: o.script.scope)):
        lines.append(f"per {title}: " + ", ".join(
            f"{k} {r}/{t}" for k, (r, t) in tally(outcomes, key).items()))
    scripts = tally(outcomes, lambda o: o.script.name)
    whole = sum(1 for r, t in scripts.values() if r == t)
    lines.append(f"scripts right in every turn: {whole}/{len(scripts)}")
    right = sum(o.passed for o in outcomes)
    lines.append(f"turns right: {right}/{len(outcomes)} = {accuracy(outcomes):.1%} "
                 f"(required {REQUIRED_TURN_ACCURACY:.0%})")
    return "\n".join(lines)


def report(outcomes: Sequence[TurnOutcome], *, reply_lines: int = 4) -> str:
    """Each failing turn with its script, problems and the start of the reply; then
    `figures`."""
    lines: list[str] = []
    for outcome in outcomes:
        if outcome.passed:
            continue
        script = outcome.script
        lines.append(f"FAIL {script.name} [{script.kind} {script.language} {script.scope}] "
                     f"turn {outcome.number} {outcome.turn.who}: {outcome.turn.text}")
        earlier = [f"{t.who}: {t.text}" for t in script.turns[:outcome.number - 1]]
        if earlier:
            lines.append("     after: " + " | ".join(earlier))
        lines.extend(f"     - {problem}" for problem in outcome.problems)
        lines.extend(f"     | {text}" for text in outcome.reply.splitlines()[:reply_lines])
    lines.append(figures(outcomes))
    return "\n".join(lines)

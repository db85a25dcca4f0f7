"""The multi-turn evaluation of issue 15: conversation scripts over HTTP, and that it is fair.

The scripts (knowledge/data/conversation_scripts.json) are instantiated on the demo portfolio
and on a generated one with other names, and run against the real bot app on 127.0.0.1
through the connector stand-in, one app per portfolio: at least 80 scripts on each, every
kind present, and at least 95 % of all turns right. The harness itself must fail wrong
replies: synthesized right replies pass and their corruptions fail, a continued list and a
pick are checked by hand, and a stand-in bot that understands nothing scores far below the
bar with nothing but the "not about it" turns right.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from bot.cli.local_connector import LocalConnector
from knowledge.answers.evaluation import TOTAL_WORDS
from knowledge.answers.oracle import Asked, Facts, label
from knowledge.language.text import fold
from knowledge.portfolio.demo_database import PortfolioData, demo_portfolio, load_portfolio
from knowledge.portfolio.snapshot import PortfolioRecords
from knowledge.portfolio.validation import validate
from tests.bot.conftest import running_bot, settings_for
from tests.conversation.expectations import Candidate, Expectation, Pick, check_reply
from tests.conversation.runner import (
    REQUIRED_TURN_ACCURACY,
    accuracy,
    report,
    run_scripts,
    scenes_for,
)
from tests.conversation.scripts import (
    KINDS,
    SCOPES,
    Script,
    ScriptRun,
    load_script_specs,
    script_run,
)
from tests.conversation.turn_answers import Conversation, case, continued, person_projects
from tests.knowledge.answers.other_portfolio import other_portfolio

PORTFOLIOS: dict[str, Callable[[], PortfolioData]] = {
    "demo": demo_portfolio, "other 7": lambda: other_portfolio(7, 36)}
MIN_SCRIPTS = 80
NOT_UNDERSTOOD = "Det forstod jeg ikke helt. Prøv for eksempel:\n- Hvem eier prosjektet?"


def today() -> date:
    """The bot answers by the real clock, so the oracle does too."""
    return datetime.now(UTC).date()


def records_of(data: PortfolioData) -> PortfolioRecords:
    records, skipped = validate(data)
    assert not skipped, skipped
    return records


def run_on(name: str) -> ScriptRun:
    return script_run(records_of(PORTFOLIOS[name]()), today())


@contextlib.asynccontextmanager
async def bot_on(data: PortfolioData, tmp_path: Path) -> AsyncIterator[str]:
    """The real bot app on a fresh SQLite database holding `data`."""
    url = f"sqlite:///{tmp_path / 'portfolio.db'}"
    await load_portfolio(url, data)
    async with running_bot(settings_for(url, tmp_path)) as bot_url:
        yield bot_url


# ---------------------------------------------------------------------------- the file
def test_the_script_file_covers_every_kind_language_and_scope() -> None:
    specs = load_script_specs()
    assert len(specs) >= 90
    for kind in KINDS:
        ours = [s for s in specs if s.kind == kind]
        assert len(ours) >= 10, kind
        assert {s.language for s in ours} == {"nb", "nn", "en"}, kind
        scopes = {s.scope for s in ours}
        assert scopes == ({"group", "channel"} if kind == "per_person" else set(SCOPES)), kind
    assert sum(s.has_slips for s in specs) >= len(specs) // 4, "typos and missing æøå"
    interleaving = [s for s in specs if s.scope == "channel" and [t.who for t in s.turns]
                    == ["A", "B", "A", "B"] and "{" in s.turns[1].say]
    assert len(interleaving) >= 2, "two people asking about two projects in one thread"


@pytest.mark.parametrize("portfolio", PORTFOLIOS)
def test_the_scripts_fill_from_the_portfolio(portfolio: str) -> None:
    run = run_on(portfolio)
    assert len(run.scripts) >= MIN_SCRIPTS, "\n".join(run.skipped)
    assert {s.kind for s in run.scripts} == set(KINDS)
    for script in run.scripts:
        assert 2 <= len(script.turns) <= 6
        assert not any(re.search(r"[{}]", turn.text) for turn in script.turns), script.name
    assert run_on(portfolio) == run, "instantiation is deterministic"


def test_every_script_talks_in_conversations_of_its_own() -> None:
    run = run_on("demo")
    seen: set[str] = set()
    for script in run.scripts:
        scenes = scenes_for(script, "http://127.0.0.1:9/")
        a, b = scenes["A"], scenes["B"]
        assert a.aad_object_id != b.aad_object_id and a.user_account_id != b.user_account_id
        ids = {a.base_conversation_id()} | ({b.base_conversation_id()}
                                            if script.scope != "personal" else set())
        assert len(ids) == 1 and not ids & seen
        seen |= ids
        if script.scope == "channel":
            thread = a.message("hei", thread_id="1700000000000")["conversation"]["id"]
            assert re.fullmatch(r"19:\w+@thread\.tacv2;messageid=1700000000000", thread)


# ----------------------------------------------------------------------------- the bar
@pytest.mark.parametrize("portfolio", PORTFOLIOS)
async def test_multi_turn_scripts_over_http(portfolio: str, tmp_path: Path) -> None:
    data = PORTFOLIOS[portfolio]()
    run = script_run(records_of(data), today())
    assert len(run.scripts) >= MIN_SCRIPTS
    async with LocalConnector() as connector, bot_on(data, tmp_path) as bot_url:
        outcomes = await run_scripts(run.scripts, bot_url, connector)
    assert len(outcomes) == sum(len(s.turns) for s in run.scripts)
    assert {o.script.kind for o in outcomes} == set(KINDS)
    assert accuracy(outcomes) >= REQUIRED_TURN_ACCURACY, (
        f"{portfolio}: {len(run.scripts)} scripts ({len(run.skipped)} skipped)\n"
        + report(outcomes))


# ------------------------------------------------------------------- the harness is fair
def right_reply(expectation: Expectation) -> str:
    """A reply with exactly what the expectation asks for, worded as the contract says."""
    found = expectation.case
    first = ""
    if found.total is not None:
        one, many, none = TOTAL_WORDS[found.language]
        first = (f"{none.capitalize()} {many}" if found.total == 0
                 else f"{found.total} {one if found.total == 1 else many}")
    first = " ".join([first, *(group[0] for group in found.first_line)]).strip() or "Svar:"
    return "\n".join([first, *found.expect, *(group[0] for group in found.one_of)])


def plain_turns(run: ScriptRun) -> list[tuple[Script, Expectation]]:
    """Every turn whose expectation a reply can be written for without the bot's own
    earlier reply (no pick) or wording (no patterns)."""
    return [(script, turn.expectation) for script in run.scripts for turn in script.turns
            if turn.expectation.pick is None and not turn.expectation.patterns]


@pytest.mark.parametrize("portfolio", PORTFOLIOS)
def test_a_right_reply_passes_and_its_corruptions_fail(portfolio: str) -> None:
    run = run_on(portfolio)
    facts = Facts(records_of(PORTFOLIOS[portfolio]()), today())
    caught: Counter[str] = Counter()
    for script, expectation in plain_turns(run):
        right = right_reply(expectation)
        assert check_reply(expectation, right) == (), (script.name, right)
        found = expectation.case
        if found.expect:
            wrong = re.sub(re.escape(found.expect[-1]), "", right)
            assert check_reply(expectation, wrong), (script.name, "drops a fact")
            caught["missing fact"] += 1
        stranger = next((p for p in facts.projects if found.allowed is not None
                         and fold(p.code) not in found.allowed), None)
        if stranger is not None:
            assert check_reply(expectation, f"{right}\n{label(stranger)}"), script.name
            caught["another project"] += 1
        if found.total is not None:
            wrong = right.replace(str(found.total), str(found.total + 3), 1) \
                if found.total else right.replace("Ingen", "3", 1).replace("No", "3", 1)
            assert check_reply(expectation, wrong), (script.name, "wrong total")
            caught["wrong total"] += 1
        for rejected in (*found.reject, *expectation.reject_first_line):
            assert check_reply(expectation, f"{rejected} {right}"), (script.name, rejected)
            caught["rejected"] += 1
        assert check_reply(expectation, ""), "no reply is no answer"
    assert min(caught.values()) >= 5 and len(caught) == 4, caught


def test_a_continued_list_must_show_the_right_part() -> None:
    facts = Facts(records_of(demo_portfolio()), today())
    asked = Asked("vis flere", "nb", "more", ())
    conversation = Conversation(listed=list(facts.projects), shown=10)
    total = len(facts.projects)
    page = continued(False, facts, asked, conversation)
    rest = [label(p) for p in facts.projects[10:]]
    right = "\n".join([f"{total} prosjekter.", f"Prosjekt 11–{total} av {total}:", *rest])
    assert check_reply(page, right) == ()
    assert check_reply(page, right.replace("11–", "1–"))
    assert check_reply(page, right.replace(" av ", " of "))
    assert check_reply(page, right + "\n" + label(facts.projects[0]))
    end = continued(False, facts, asked, conversation)
    assert check_reply(end, f"Det var alle {total}.") == ()
    assert check_reply(end, f"Det var alle {total - 1}.")
    assert check_reply(end, f"Det var alle {total}.\n{rest[0]}")


def test_a_pick_is_read_off_the_clarification_the_bot_sent() -> None:
    facts = Facts(records_of(demo_portfolio()), today())
    first, second = facts.projects[0], facts.projects[1]
    asked = Asked("2", "nb", "pick", ())
    pick = Expectation(case(asked, facts), pick=Pick(2, "m", tuple(
        Candidate((p.code, p.name), Expectation(case(asked, facts, expect=[p.name],
                                                      allowed=[p])))
        for p in (first, second))))
    clarification = f"«x» passer til flere. Hvilken mener du?\n1. {label(second)}\n2. {label(first)}"
    assert check_reply(pick, f"Prosjektleder for {label(first)} er …", {"m": clarification}) == ()
    assert check_reply(pick, f"Prosjektleder for {label(second)} er …", {"m": clarification})
    assert check_reply(pick, f"Prosjektleder for {label(first)} er …", {})
    assert check_reply(pick, f"Prosjektleder for {label(first)} er …",
                       {"m": f"1. {label(second)}"})
    holder = next(p for p in facts.persons.values() if facts.person_projects(p))
    expected = person_projects(holder, facts, Asked("1", "nb", "pick", ()))
    assert check_reply(expected, "\n".join([holder.full_name, *(
        label(p) for p in facts.person_projects(holder))])) == ()
    assert check_reply(expected, holder.full_name + " har ingen prosjekter.")


@contextlib.asynccontextmanager
async def canned_bot(text: str) -> AsyncIterator[str]:
    """A stand-in bot that replies `text` to every message, through the connector."""
    async def messages(request: web.Request) -> web.Response:
        activity = await request.json()
        conversation = activity["conversation"]["id"]
        reply = {"type": "message", "text": text, "replyToId": activity["id"],
                 "conversation": activity["conversation"], "from": activity["recipient"],
                 "recipient": activity["from"]}
        async with ClientSession() as client, client.post(
                f"{activity['serviceUrl']}v3/conversations/{conversation}/activities/"
                f"{activity['id']}", json=reply) as response:
            assert response.status == 201
        return web.Response(status=201)

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/api/messages"))
    finally:
        await server.close()


async def test_a_bot_that_understands_nothing_fails_the_bar() -> None:
    run = run_on("demo")
    async with LocalConnector() as connector, canned_bot(NOT_UNDERSTOOD) as bot_url:
        outcomes = await run_scripts(run.scripts, bot_url, connector, reply_timeout=5.0)
    assert all(o.reply == NOT_UNDERSTOOD for o in outcomes), "every turn got its reply"
    passed = [o for o in outcomes if o.passed]
    assert passed, "the turns that only ask for nothing about a project pass"
    assert all(o.script.kind == "per_person" and o.turn.expectation.case.reject
               and not o.turn.expectation.case.expect for o in passed)
    assert accuracy(outcomes) < 0.1 < REQUIRED_TURN_ACCURACY

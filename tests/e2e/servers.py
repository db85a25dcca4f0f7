"""The two real processes a browser test talks to: `portfoliobot serve` and the Agents Playground.

`running_bot` starts the bot's real CLI on a free 127.0.0.1 port against a given portfolio
database (its own bot database and data folder in `folder`) and waits for `/readyz`.
`running_playground` starts Microsoft 365 Agents Playground (`node_modules/`, installed by
`npm ci`) pointed at that bot with channel `msteams`, on its own free port, as the user the
config file names. Both are context managers that stop their process by its PID (SIGTERM,
then SIGKILL) and put its output in the error when it fails to start.

The playground must not leave the machine. Its command-line `--disable-telemetry` does not
stop the Application Insights SDK inside it from starting: at start it still asks the Azure
VM metadata address (169.254.169.254) and looks up an ingestion host for its "statsbeat", and
its start-up event is sent regardless. `APPLICATION_INSIGHTS_NO_STATSBEAT` and
`APPLICATIONINSIGHTS_CONFIGURATION_CONTENT={"disableAppInsights": true, ...}` stop all of
that (checked with strace: with them it connects to nothing but 127.0.0.1).
`TEAMSAPPTESTER_BROWSER=none` keeps it from opening a browser of its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.portfolio import PEOPLE, Person

REPOSITORY = Path(__file__).resolve().parents[2]
PLAYGROUND_CLI = REPOSITORY / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
START_SECONDS = 60.0    # a cold start imports botbuilder; generous on a busy 2-core machine
STOP_SECONDS = 10.0
BOT_NAME = "Porteføljeboten"
CHANNEL = "Statusmeldinger"     # the team's channel besides General
QUIET_TELEMETRY = {
    "APPLICATION_INSIGHTS_NO_STATSBEAT": "true",
    "APPLICATIONINSIGHTS_CONFIGURATION_CONTENT": json.dumps(
        {"disableAppInsights": True, "disableStatsbeat": True}),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Process:
    """A started process, where it listens, and the file its output goes to."""

    name: str
    popen: subprocess.Popen[bytes]
    base: str
    log: Path

    def output(self) -> str:
        return self.log.read_text("utf-8", errors="replace")[-4000:]


def _wait(check: Callable[[], bool], process: Process, what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:      # another process: polled, there is no event to wait on
        if check():
            return
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.popen.returncode}:\n{process.output()}")
        time.sleep(0.1)
    raise RuntimeError(f"waited {START_SECONDS:g} s for {what}:\n{process.output()}")


def _stop(process: Process) -> None:
    """SIGTERM (a clean stop), then SIGKILL if it does not end in time; by PID only."""
    if process.popen.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.popen.pid, signal.SIGTERM)
        try:
            process.popen.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.popen.pid, signal.SIGKILL)
            process.popen.wait(STOP_SECONDS)


def _start(name: str, command: list[str], env: dict[str, str], folder: Path, base: str) -> Process:
    log = folder / f"{name}.log"
    with log.open("wb") as sink:
        popen = subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                                 stdout=sink, stderr=subprocess.STDOUT)
    return Process(name, popen, base, log)


def _bot_command() -> list[str]:
    script = Path(sys.executable).with_name("portfoliobot")
    return [str(script), "serve"] if script.exists() else [sys.executable, "-m", "bot", "serve"]


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            return bool(json.loads(response.read())["ready"])
    except (OSError, ValueError, KeyError):
        return False


@contextlib.contextmanager
def running_bot(portfolio_url: str, folder: Path) -> Iterator[Process]:
    """`portfoliobot serve` on 127.0.0.1 serving `portfolio_url`, ready to answer."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PORTFOLIO", "BOT_", "Microsoft", "NOTIFY_", "DIGEST_",
                                  "REMINDER_", "ALLOWED_TENANT"))}
    env.update(PORTFOLIO_DATABASE_URL=portfolio_url, BOT_DATABASE_URL=f"sqlite:///{folder / 'bot.db'}",
               PORTFOLIOBOT_DATA_DIR=str(folder / "data"), HOST="127.0.0.1", PORT=str(port),
               PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1")
    bot = _start("portfoliobot", _bot_command(), env, folder, f"http://127.0.0.1:{port}")
    try:
        _wait(lambda: _ready(bot.base), bot, "portfoliobot to be ready")
        yield bot
    finally:
        _stop(bot)


def playground_config(user: Person) -> str:
    """The playground's config file (its schema 0.1.1): the bot's name, and `user` as the person
    chatting, with their Entra object id; the five other members are the rest of the portfolio's
    people (the schema wants exactly five)."""
    others = [person for person in PEOPLE if person != user][:5]

    def account(person: Person, index: int, indent: str) -> str:
        given, _, surname = person.full_name.partition(" ")
        fields = {"id": f"user-id-{index}", "name": person.full_name,
                  "userPrincipleName": f"user{index}@fjordheim.example",
                  "aadObjectId": person.aad_object_id, "givenName": given, "surname": surname,
                  "email": f"user{index}@fjordheim.example"}
        return "".join(f"{indent}{key}: {value}\n" for key, value in fields.items())

    users = "".join("  - " + account(person, index, "    ")[4:]
                    for index, person in enumerate(others, start=1))
    return ('version: "0.1.1"\ntenantId: 00000000-0000-0000-0000-000000000001\n'
            f"bot:\n  id: 28:portfoliobot-e2e\n  name: {BOT_NAME}\n"
            f"currentUser:\n{account(user, 0, '  ')}users:\n{users}"
            "personalChat:\n  id: personal-chat-e2e\n"
            "groupChat:\n  id: group-chat-e2e\n  name: Porteføljegruppa\n"
            "team:\n  id: team-e2e\n  name: Porteføljekontoret\n"
            "  aadGroupId: 00000000-0000-0000-0000-000000000031\n"
            f"  channels:\n    - id: channel-e2e-status\n      name: {CHANNEL}\n")


def _listening_port(process: Process) -> int | None:
    match = re.search(r"Listening on (\d+)", process.output())
    return int(match.group(1)) if match else None


def _launched(base: str, devtools_log: Path) -> bool:
    """The playground has loaded our config file and mounted its routes. It prints "Listening"
    before it reads the file (and exits if the file is invalid); its `/_debug/ping` answers
    only once the file is loaded."""
    text = devtools_log.read_text("utf-8", errors="replace") if devtools_log.exists() else ""
    if "Failed to start" in text:
        raise RuntimeError("the playground failed to start:\n" + "\n".join(
            line for line in text.splitlines() if line.startswith("error")))
    try:
        with urllib.request.urlopen(base + "/_debug/ping", timeout=5) as response:
            return bool(response.read() == b"pong")
    except OSError:
        return False


def node_executable() -> str | None:
    return shutil.which("node")


@contextlib.contextmanager
def running_playground(bot: Process, user: Person, folder: Path) -> Iterator[Process]:
    """Agents Playground on 127.0.0.1 (channel msteams) talking to `bot`, chatting as `user`."""
    node = node_executable()
    if node is None:
        raise RuntimeError("node is not on PATH")
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "m365agentsplayground.yml"
    config.write_text(playground_config(user), "utf-8")
    port = free_port()
    devtools_log = folder / "playground-devtools.log"
    env = {**os.environ, **QUIET_TELEMETRY, "TEAMSAPPTESTER_BROWSER": "none",
           "M365_AGENTS_PLAYGROUND_CONFIG_PATH": str(config),
           "M365_AGENTS_PLAYGROUND_LOGFILE": str(devtools_log),
           "LANG": "nb_NO.UTF-8"}
    command = [node, str(PLAYGROUND_CLI), "--app-endpoint", f"{bot.base}/api/messages",
               "--channel-id", "msteams", "--port", str(port), "--disable-telemetry"]
    playground = _start("playground", command, env, folder, f"http://127.0.0.1:{port}")
    try:
        _wait(lambda: _listening_port(playground) is not None, playground, "the playground to listen")
        actual = _listening_port(playground)
        if actual != port:      # it takes a random port when ours was taken meanwhile
            playground = Process(playground.name, playground.popen, f"http://127.0.0.1:{actual}",
                                 playground.log)
        _wait(lambda: _launched(playground.base, devtools_log), playground,
              "the playground to load its config")
        yield playground
    finally:
        _stop(playground)


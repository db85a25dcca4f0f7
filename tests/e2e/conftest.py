"""One playground session for the browser tests: the bot, the playground and a Chromium page.

The session (module scope, shared by the tests of a module and run in file order): the
Fjordheim portfolio (`tests/e2e/portfolio.py`, not the demo) in a temporary SQLite file,
`portfoliobot serve` on it, the playground pointed at it chatting as the portfolio's project
lead Vegard Tangen, and one page in headless Chromium. The welcome the page shows at the start
is kept as `session.welcome`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from knowledge.portfolio.demo_database import load_portfolio
from tests.e2e.chat import PlaygroundChat, Reply, open_browser
from tests.e2e.portfolio import LEAD, e2e_portfolio
from tests.e2e.servers import BOT_NAME, Process, running_bot, running_playground


@dataclass
class Session:
    """The running bot and playground, the page, and the replies seen so far by what was sent."""

    bot: Process
    playground: Process
    chat: PlaygroundChat
    welcome: Reply
    folder: Path
    replies: dict[str, Reply] = field(default_factory=dict)

    def ask(self, text: str) -> Reply:
        """The reply to `text`, sent once per session (tests that look at the same reply share it)."""
        if text not in self.replies:
            self.replies[text] = self.chat.send(text)
        return self.replies[text]

    def screenshot(self, name: str) -> Path:
        path = self.folder / "screenshots" / (re.sub(r"[^\w.-]+", "_", name)[:120] + ".png")
        path.parent.mkdir(exist_ok=True)
        self.chat.page.screenshot(path=path)
        return path


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    folder = tmp_path_factory.mktemp("playground")
    portfolio_url = f"sqlite:///{folder / 'portfolio.db'}"
    asyncio.run(load_portfolio(portfolio_url, e2e_portfolio()))
    with running_bot(portfolio_url, folder / "bot") as bot, \
            running_playground(bot, LEAD, folder / "playground") as playground, \
            open_browser() as browser:
        chat = PlaygroundChat.open(browser, playground.base, BOT_NAME)
        yield Session(bot, playground, chat, chat.wait_for_welcome(), folder)


@pytest.fixture(autouse=True)
def _screenshot_after(request: pytest.FixtureRequest) -> Iterator[None]:
    """The page as each test left it, in the session's temporary folder (kept by pytest for the
    last three runs), to look at when a test fails."""
    yield
    if "session" in request.fixturenames:
        request.getfixturevalue("session").screenshot(request.node.name)

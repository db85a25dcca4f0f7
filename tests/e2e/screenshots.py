"""`make screenshots`: the README's pictures, taken in Microsoft 365 Agents Playground.

`python -m tests.e2e.screenshots docs` drives the same session as the browser tests (the
Fjordheim portfolio, `portfoliobot serve`, the playground as the project lead Vegard Tangen,
headless Chromium, nothing leaving 127.0.0.1) and writes six PNGs into the folder:

- `playground-answer.png`: an answer card (a project's status);
- `playground-clarification.png`: a clarification with its buttons;
- `playground-status-form.png`: the status form, filled in but not sent;
- `playground-channel-notification.png`: a lead's new status notified in a team channel that
  subscribed to the project;
- `tab-light.png`, `tab-dark.png`: the portfolio tab (`/tab`), Teams' default and dark theme.

The log panel is hidden and the window kept small, so each picture stays under `MAX_BYTES`;
the script fails naming any picture that does not.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser

from knowledge.portfolio.demo_database import load_portfolio
from tests.e2e.chat import PlaygroundChat, open_browser
from tests.e2e.deps import skip_reason
from tests.e2e.portfolio import ACUTE_FLOW, HAVBRIS_II, LEAD, e2e_portfolio
from tests.e2e.servers import BOT_NAME, CHANNEL, running_bot, running_playground

MAX_BYTES = 150 * 1024
WIDTH, HEIGHT = 860, 640


def take(chat: PlaygroundChat, folder: Path) -> list[Path]:
    """Drive the chat through the four scenes; the PNGs written, in order."""
    page = chat.page
    written: list[Path] = []

    def shoot(name: str) -> None:
        page.mouse.move(WIDTH - 5, HEIGHT / 2)      # no hover highlight on a message
        page.evaluate("() => window.scrollTo(0, 0)")  # focusing the composer scrolls the page
        page.wait_for_timeout(300)                   # let the last card finish its layout
        path = folder / f"playground-{name}.png"
        page.screenshot(path=path)
        written.append(path)

    chat.send(f"Hva er status på {HAVBRIS_II}?")
    shoot("answer")

    chat.send("status Havbris datasenter")
    shoot("clarification")

    form = chat.send("statusskjema")
    [acute_flow] = [option for option in chat.options(form, "Prosjekt") if ACUTE_FLOW in option]
    chat.choose(form, "Prosjekt", acute_flow)
    box = chat.card_box(form)
    box.get_by_label("Grønn", exact=True).check()
    box.get_by_label("Oppsummering").fill("Ventetiden i mottaket er nede i 40 minutter.")
    box.scroll_into_view_if_needed()
    shoot("status-form")

    chat.open_conversation(CHANNEL)
    chat.post_in_channel(BOT_NAME, f"abonner {HAVBRIS_II}")
    chat.wait_for_card(f"abonnerer nå på endringer i {HAVBRIS_II}")
    chat.open_conversation("Personal Chat")
    summary = "ny leverandør av strømforsyning er valgt"
    chat.send(f"status {HAVBRIS_II}: gul – {summary}")
    chat.open_conversation(CHANNEL)
    chat.wait_for_card(summary)
    shoot("channel-notification")
    return written


def take_tab(browser: Browser, base: str, folder: Path) -> list[Path]:
    """The tab as Teams opens it, in the default and the dark theme (the whole page)."""
    written = []
    page = browser.new_page(viewport={"width": 1100, "height": 860})
    try:
        for theme, name in (("default", "tab-light"), ("dark", "tab-dark")):
            page.goto(f"{base}/tab?lang=nb-NO&theme={theme}")
            path = folder / f"{name}.png"
            page.screenshot(path=path, full_page=True)
            written.append(path)
    finally:
        page.close()
    return written


def main(argv: list[str]) -> int:
    if reason := skip_reason():
        print(reason.replace("browser tests", "screenshots"), file=sys.stderr)
        return 1
    folder = Path(argv[0] if argv else "docs")
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="playground-screenshots-") as temporary:
        work = Path(temporary)
        portfolio_url = f"sqlite:///{work / 'portfolio.db'}"
        asyncio.run(load_portfolio(portfolio_url, e2e_portfolio()))
        with running_bot(portfolio_url, work / "bot") as bot, \
                running_playground(bot, LEAD, work / "playground") as playground, \
                open_browser() as browser:
            chat = PlaygroundChat.open(browser, playground.base, BOT_NAME, width=WIDTH, height=HEIGHT)
            chat.wait_for_welcome()
            chat.page.get_by_title("Hide log panel").click()
            written = take(chat, folder)
            written += take_tab(browser, bot.base, folder)
    too_big = [path for path in written if path.stat().st_size > MAX_BYTES]
    for path in written:
        print(f"{path}: {path.stat().st_size / 1024:.0f} KB")
    if too_big:
        print(f"over {MAX_BYTES // 1024} KB: {', '.join(map(str, too_big))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What a person sees in the Agents Playground's page, read from the rendered DOM.

`open_browser` launches Debian's Chromium through Playwright (no browser download: the
executable is /usr/bin/chromium) with every request that would leave 127.0.0.1 blocked and
recorded. `PlaygroundChat` drives one page: it types a message and returns the bot's reply as
the messages that appeared for it (`Reply`), presses card buttons, and collects the warnings
and errors the playground writes to its log panel (`warnings`).

The page's structure, as the playground 0.2.28 renders it: every message has a header
(`aria-label="Message header"`) with the author (`aria-label="Message author"`; the user's own
messages have none) and sits in a box together with its body; an Adaptive Card renders as
`.ac-container` (the adaptivecards renderer Teams uses), its buttons are `<button>`s with the
action's title, its inputs are `input`/`textarea` elements with a `<label for>` (a compact
choice set is a `role="combobox"` input whose options open in a list box). A reply is complete
when no new message has appeared for `QUIET_SECONDS`.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Locator, Page, Route, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 # Even so, Chromium looks up update.googleapis.com and accounts.google.com at
                 # start (seen with strace): its resolver answers only for this machine. What
                 # strace still shows is its IPv6 probe, a UDP connect() to 2001:4860:4860::8888
                 # that sends no packet.
                 "--host-resolver-rules=MAP localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
LOCAL_ORIGINS = ("http://127.0.0.1:", "http://localhost:", "ws://127.0.0.1:", "ws://localhost:",
                 "data:", "blob:", "about:")
REPLY_SECONDS = 20.0
QUIET_SECONDS = 1.0
MESSAGE_BOXES = 'div:has(> [aria-label="Message header"])'

# Collects every log-panel entry marked "(!) Warning: " or "(×) Error: " as it is added, so an
# entry scrolled out of the panel is not missed; counts the entries it saw (a time stamp
# "[07:13:40]" starts each), to show it is reading the panel at all.
WARNING_RECORDER = """
(() => {
  window.__playgroundWarnings = [];
  window.__playgroundLogEntries = 0;
  const seen = new WeakSet();
  const scan = () => {
    for (const marker of document.querySelectorAll('span')) {
      const label = marker.textContent;
      if (/^\\[\\d{1,2}:\\d{2}:\\d{2}/.test(label) && !seen.has(marker)) {
        seen.add(marker);
        window.__playgroundLogEntries += 1;
        continue;
      }
      if ((label !== '(!) Warning: ' && label !== '(\\u00d7) Error: ') || seen.has(marker)) continue;
      seen.add(marker);
      const message = marker.nextElementSibling;
      const tip = message && message.getAttribute('aria-describedby');
      const full = tip && document.getElementById(tip);
      window.__playgroundWarnings.push(label.trim() + ' ' +
        ((full && full.textContent) || (message && message.textContent) || '').trim());
    }
  };
  new MutationObserver(scan).observe(document, {subtree: true, childList: true});
})();
"""

READ_MESSAGES = r"""
(boxes) => boxes.map(box => {
  const author = box.querySelector('[aria-label="Message author"]');
  const card = box.querySelector('.ac-container');
  return {
    author: author ? author.innerText.trim() : '',
    text: box.innerText,
    card: card ? card.innerText : null,
    buttons: [...box.querySelectorAll('button[title]')].map(b => b.getAttribute('title')),
    inputs: [...(card ? card.querySelectorAll('input, textarea, select') : [])].map(input => {
      const byFor = input.id && box.querySelector(`label[for="${input.id}"]`);
      const firstId = (input.getAttribute('aria-labelledby') || '').split(' ')[0];
      const label = byFor || (firstId && document.getElementById(firstId));
      const kind = input.getAttribute('role') || input.getAttribute('type') || input.tagName.toLowerCase();
      return kind + ': ' + (label ? label.innerText.replace(/\s*\*\s*$/, '').trim() : '');
    }),
  };
})
"""


@dataclass(frozen=True)
class Message:
    """One message as rendered: who wrote it, all its visible text, its card's text (None: no
    card), the titles of its buttons, and its card's inputs as `kind: label` (`combobox:
    Prosjekt`, `radio: Grønn`, `textarea: Oppsummering`)."""

    author: str
    text: str
    card: str | None
    buttons: tuple[str, ...]
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class Reply:
    """The bot's messages that appeared for one thing the user did, in page order."""

    sent: str
    messages: tuple[Message, ...]
    index: int          # position of the first of them among the page's bot messages

    @property
    def card(self) -> str:
        """The text of the (last) card in the reply; fails when the reply has no card."""
        cards = [message.card for message in self.messages if message.card is not None]
        assert cards, f"no card in the reply to {self.sent!r}: {self.texts()}"
        return cards[-1]

    @property
    def buttons(self) -> tuple[str, ...]:
        return tuple(title for message in self.messages for title in message.buttons)

    def texts(self) -> list[str]:
        return [message.text for message in self.messages]


def visible(text: str) -> str:
    """Rendered text with its runs of white space made one space, for `in` checks."""
    return re.sub(r"\s+", " ", text).strip()


@contextlib.contextmanager
def open_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class PlaygroundChat:
    """One playground page in the personal chat with the bot."""

    page: Page
    bot_name: str
    blocked: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @classmethod
    def open(cls, browser: Browser, url: str, bot_name: str, *, width: int = 1100,
             height: int = 800) -> PlaygroundChat:
        page = browser.new_page(viewport={"width": width, "height": height}, locale="nb-NO")
        chat = cls(page, bot_name)
        page.route("**/*", chat._only_local)
        page.on("pageerror", lambda error: chat.page_errors.append(str(error)))
        page.add_init_script(WARNING_RECORDER)
        page.goto(url)
        chat.composer().wait_for()
        return chat

    def _only_local(self, route: Route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_ORIGINS):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    # ------------------------------------------------------------------ reading
    def bot_boxes(self) -> Locator:
        author = self.page.locator('[aria-label="Message author"]', has_text=self.bot_name)
        return self.page.locator(MESSAGE_BOXES).filter(has=author)

    def bot_messages(self) -> list[Message]:
        rows: list[dict[str, Any]] = self.bot_boxes().evaluate_all(READ_MESSAGES)
        return [Message(row["author"], row["text"], row["card"], tuple(row["buttons"]),
                        tuple(row["inputs"])) for row in rows]

    def warnings(self) -> list[str]:
        """The log panel's warnings and errors so far, each as `(!) Warning: <text>`."""
        found: list[str] = self.page.evaluate("() => window.__playgroundWarnings || []")
        return found

    def log_entries(self) -> int:
        """How many log panel entries the warning recorder has seen."""
        return int(self.page.evaluate("() => window.__playgroundLogEntries || 0"))

    # ------------------------------------------------------------------ acting
    def wait_for_reply(self, sent: str, before: int, seconds: float = REPLY_SECONDS) -> Reply:
        """The bot messages after the first `before`, once at least one came and then none for
        `QUIET_SECONDS`."""
        deadline = time.monotonic() + seconds
        count, changed = before, time.monotonic()
        while time.monotonic() < deadline:      # the page's state: polled, as a person looks
            now = self.bot_boxes().count()
            if now != count:
                count, changed = now, time.monotonic()
            elif count > before and time.monotonic() - changed >= QUIET_SECONDS:
                return Reply(sent, tuple(self.bot_messages()[before:]), before)
            self.page.wait_for_timeout(100)
        raise AssertionError(f"no reply to {sent!r} within {seconds:g} s")

    def wait_for_welcome(self) -> Reply:
        return self.wait_for_reply("(conversation start)", 0)

    def send(self, text: str) -> Reply:
        before = self.bot_boxes().count()
        box = self.composer()
        box.click()
        box.fill(text)
        box.press("Enter")
        return self.wait_for_reply(text, before)

    def card_box(self, reply: Reply) -> Locator:
        """The rendered message that holds `reply`'s (last) card."""
        offsets = [offset for offset, message in enumerate(reply.messages) if message.card is not None]
        assert offsets, f"no card in the reply to {reply.sent!r}: {reply.texts()}"
        return self.bot_boxes().nth(reply.index + offsets[-1])

    def press(self, reply: Reply, title: str, seconds: float = REPLY_SECONDS) -> Reply:
        """Press the button `title` on `reply`'s card, as a person clicks it."""
        before = self.bot_boxes().count()
        button = self.card_box(reply).get_by_role("button", name=title, exact=True)
        assert button.count(), f"no button {title!r} on the reply to {reply.sent!r}: {reply.buttons}"
        button.first.click()
        return self.wait_for_reply(f"[{title}]", before, seconds)

    def options(self, reply: Reply, label: str) -> list[str]:
        """The choices a compact choice set on `reply`'s card offers when opened."""
        self.card_box(reply).get_by_role("combobox", name=label).click()
        listed = self.page.get_by_role("option")
        listed.first.wait_for()
        texts = [text.strip() for text in listed.all_inner_texts()]
        self.page.keyboard.press("Escape")
        return texts

    def choose(self, reply: Reply, label: str, option: str) -> None:
        self.card_box(reply).get_by_role("combobox", name=label).click()
        self.page.get_by_role("option", name=option, exact=True).click()

    # ------------------------------------------------------------------ the compose box's app
    def search_compose_box(self, command: str, parameter: str, term: str,
                           seconds: float = REPLY_SECONDS) -> list[str]:
        """Search with the app's search command as a person does from the compose box (the
        playground's "Trigger Message Extension App" → "Search Command", told the command id
        and its parameter once): type `term`; the results' titles once they stopped changing
        for `QUIET_SECONDS`, [] when the page says nothing matched."""
        page = self.page
        box = page.get_by_placeholder("Enter a search term")
        if not box.is_visible():
            page.get_by_role("button", name="Trigger Message Extension App").click()
            page.get_by_text("Search Command", exact=True).click()
            page.get_by_text("Specify Command ID or Parameter").click()
            page.get_by_placeholder("Command ID").fill(command)
            page.get_by_placeholder("Parameter name").fill(parameter)
            page.get_by_text("Specify Command ID or Parameter").click()
        box.fill(term)
        panel = self.search_panel()
        deadline = time.monotonic() + seconds
        seen: tuple[str, ...] | None = None
        changed = time.monotonic()
        while time.monotonic() < deadline:
            now = tuple(panel.locator("h1").all_inner_texts())
            if now != seen:
                seen, changed = now, time.monotonic()
            elif time.monotonic() - changed >= QUIET_SECONDS and (
                    now or self.search_message()):
                return list(now)
            page.wait_for_timeout(100)
        raise AssertionError(f"no search results for {term!r} within {seconds:g} s")

    def search_panel(self) -> Locator:
        return self.page.locator(".fui-PopoverSurface", has_text="Search-Based Message Extension")

    def search_message(self) -> str:
        """What the search panel shows below the search box besides results (the app's
        message when nothing matched)."""
        text = self.search_panel().inner_text()
        return text.split("Specify Command ID or Parameter", 1)[-1].strip()

    def share_search_result(self, title: str, seconds: float = REPLY_SECONDS) -> Locator:
        """Choose the result `title` (its card goes into the compose box) and send it; the
        card as the conversation shows it, in the new message."""
        boxes = self.page.locator(MESSAGE_BOXES)
        before = boxes.count()
        self.search_panel().locator("h1", has_text=title).first.click()
        self.page.get_by_role("button", name="Send Message").click()
        deadline = time.monotonic() + seconds
        while boxes.count() <= before:
            assert time.monotonic() < deadline, f"{title!r} was not shared within {seconds:g} s"
            self.page.wait_for_timeout(100)
        return boxes.nth(before).locator(".ac-container").first

    def quiet_for(self, seconds: float, before: int) -> bool:
        """Whether no bot message beyond the first `before` appears for `seconds`."""
        self.page.wait_for_timeout(seconds * 1000)
        return self.bot_boxes().count() == before

    # ------------------------------------------------------------------ moving about
    def open_conversation(self, name: str) -> None:
        """Open a chat or channel from the playground's side bar (`Personal Chat`, a channel's
        name), and close the side bar again."""
        toggle = self.page.get_by_title("Toggle app bar and conversation window")
        item = self.page.get_by_role("treeitem", name=re.compile(re.escape(name)))

        def shown() -> bool:        # the side bar slides out of view; it is never display: none
            box = item.bounding_box()
            return box is not None and box["x"] >= 0
        if not shown():
            toggle.click()
            self.page.wait_for_function(
                "(label) => [...document.querySelectorAll('[role=treeitem]')].some(e => "
                "(e.getAttribute('aria-label') || '').includes(label) && e.getBoundingClientRect().x >= 0)",
                arg=name)
        item.click()
        if shown():
            toggle.click()
        size = self.page.viewport_size or {"width": 800, "height": 600}
        self.page.mouse.move(size["width"] / 2, size["height"] / 2)
        self.page.wait_for_function(            # the side bar opens on hover, so the mouse leaves
            "() => [...document.querySelectorAll('[role=treeitem]')].every(e => "
            "e.getBoundingClientRect().x < 0)")
        self.composer().wait_for()

    def post_in_channel(self, mention: str, text: str) -> None:
        """Start a new post in the open channel: `@mention` picked from the playground's list,
        then `text`."""
        editor = self.page.locator('[data-lexical-editor="true"]').first
        editor.click()
        editor.press_sequentially("@" + mention[:4])
        self.page.locator("#typeahead-menu").get_by_text(mention, exact=True).click()
        editor.press_sequentially(" " + text)
        self.page.get_by_role("button", name="Post", exact=True).click()

    def wait_for_card(self, text: str) -> Locator:
        """The first rendered card that shows `text`, once it shows."""
        card = self.page.locator(".ac-container", has_text=text).first
        card.wait_for(timeout=REPLY_SECONDS * 1000)
        return card

    def composer(self) -> Locator:
        """Where the user types (the playground's own editor, not an input of a card)."""
        return self.page.locator('[data-lexical-editor="true"]').last

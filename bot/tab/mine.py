""""Mine prosjekter": the signed-in person's projects in the tab, and which need a new report.

`GET /tab/mine` answers the page's script with an HTML fragment for the section. The person is
whoever the Teams single sign-on token names (`bot.auth.tab_token`; its `oid` is looked up in
the portfolio's people by Entra object id). Without a valid token the fragment says to sign in
and shows no one's projects. Each project owned or led shows its latest report, flagged when
it is older than `STALE_AFTER_DAYS` (or missing), with a button that opens the chat with the
bot and its status form (a Teams deep link that pre-fills `statusskjema`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape
from urllib.parse import urlencode

from bot.tab.page import HEALTH_CSS, Page
from bot.tab.portfolio_view import row_of
from bot.tab.texts import word
from knowledge.answers.answers import Language
from knowledge.answers.phrases import HEALTH, ROLE, format_date
from knowledge.portfolio.model import Role
from knowledge.portfolio.snapshot import Snapshot

STALE_AFTER_DAYS = 14
FORM_COMMAND = {Language.NB: "statusskjema", Language.EN: "status form"}


def status_link(app_id: str, language: Language) -> str:
    """A Teams deep link to the chat with the bot, its status form command typed in."""
    query = urlencode({"users": f"28:{app_id}", "message": FORM_COMMAND[language]})
    return f"https://teams.microsoft.com/l/chat/0/0?{query}"


def sign_in_fragment(language: Language, key: str = "mine_not_signed_in") -> str:
    return f'<p class="mine-message">{escape(word(key, language))}</p>'


def mine_fragment(snapshot: Snapshot, object_id: str, page: Page, app_id: str,
                  now: datetime) -> str:
    """The section's content for the person with Entra object id `object_id`."""
    language = page.language
    person = snapshot.persons_by_aad.get(object_id.lower())
    if person is None:
        return sign_in_fragment(language, "mine_unknown")
    own: dict[int, list[Role]] = {}   # project → the person's roles on it (owner and/or manager)
    for assignment in snapshot.assignments.get(person.id, ()):
        if assignment.role in (Role.OWNER, Role.MANAGER) \
                and assignment.role not in own.setdefault(assignment.project_id, []):
            own[assignment.project_id].append(assignment.role)
    if not own:
        return f'<p class="mine-message">{escape(word("mine_none", language, name=person.full_name))}</p>'
    link = status_link(app_id, language) if app_id else None
    items, stale = [], 0
    for project_id, roles in sorted(own.items(), key=lambda pair: snapshot.projects[pair[0]].code):
        row = row_of(snapshot, project_id)
        report = row.report
        age = (now - report.reported_at).days if report else None
        old = report is None or now - report.reported_at > timedelta(days=STALE_AFTER_DAYS)
        stale += old
        state = (f'<span class="dot {HEALTH_CSS[report.health]}" aria-hidden="true"></span>'
                 f"{escape(HEALTH[report.health][language])}, "
                 f"{escape(format_date(report.reported_at, language))}" if report
                 else escape(word("no_report", language)))
        flag = (f' <strong class="stale">{escape(word("mine_stale", language, days=age))}</strong>'
                if report and old else "")
        detail = page.href(f"/tab/project/{row.project.code}")
        button = (f' <a class="button" href="{escape(link)}" target="_blank" rel="noopener" '
                  f'aria-label="{escape(word("post_status_for", language, project=row.project.name))}">'
                  f'{escape(word("post_status", language))}</a>' if link else "")
        items.append(
            f'<li class="{"is-stale" if old else "is-fresh"}"><a href="{escape(detail)}">'
            f"{escape(row.project.code)} {escape(row.project.name)}</a> "
            f'<span class="role">({escape(", ".join(ROLE[role][language] for role in roles))})'
            f"</span> – {state}{flag}{button}</li>")
    summary = (word("mine_stale_count", language, count=stale, days=STALE_AFTER_DAYS) if stale
               else word("mine_fresh", language, days=STALE_AFTER_DAYS))
    return (f'<p class="mine-summary">{escape(summary)}</p>'
            f'<ul class="mine-list">{"".join(items)}</ul>')

"""One project in the tab: description, people, status history as a timeline, transfer.

`/tab/project/{code}` (the code as the table links it, any case). The history is every status
report the snapshot holds, newest first, as an ordered list whose items carry the health as
a coloured marker and as a word (colour is never the only sign).
"""

from __future__ import annotations

from html import escape

from bot.tab.page import HEALTH_CSS, Page, document
from bot.tab.portfolio_view import row_of
from bot.tab.texts import word
from knowledge.answers.phrases import HEALTH, PHASE, ROLE, TRANSFER, format_date
from knowledge.portfolio.model import Person, Role
from knowledge.portfolio.snapshot import Snapshot


def _person(snapshot: Snapshot, person: Person | None) -> str:
    if person is None:
        return ""
    organisation = snapshot.organizations.get(person.organization_id) \
        if person.organization_id else None
    extra = ", ".join(part for part in (person.title, organisation.name if organisation else None)
                      if part)
    return escape(f"{person.full_name} ({extra})" if extra else person.full_name)


def project_page(snapshot: Snapshot, project_id: int, page: Page) -> str:
    language = page.language
    row = row_of(snapshot, project_id)
    project = row.project
    facts: list[tuple[str, str]] = [
        (word("phase", language), escape(PHASE[project.phase][language])),
        (word("programme", language), escape(row.programme.name if row.programme else "")),
    ]
    organisation = snapshot.organizations.get(project.organization_id) \
        if project.organization_id else None
    if organisation:
        facts.append((word("organisation", language), escape(organisation.name)))
    if project.start_date or project.planned_end_date:
        end = (format_date(project.planned_end_date, language) if project.planned_end_date
               else word("open_ended", language))
        facts.append((word("period", language),
                      escape(f"{format_date(project.start_date, language)} – {end}")))
    people = [(ROLE[Role.OWNER][language].capitalize(), _person(snapshot, row.owner)),
              (ROLE[Role.MANAGER][language].capitalize(), _person(snapshot, row.manager))]
    people += [(member.role.capitalize(), _person(snapshot, snapshot.persons.get(member.person_id)))
               for member in snapshot.members.get(project_id, ())]
    history = []
    for report in reversed(snapshot.reports.get(project_id, ())):
        author = snapshot.persons.get(report.author_id) if report.author_id else None
        by = (f' <span class="by">{escape(word("reported_by", language, name=author.full_name))}'
              "</span>" if author else "")
        history.append(
            f'<li><span class="dot {HEALTH_CSS[report.health]}" aria-hidden="true"></span>'
            f'<time datetime="{report.reported_at.isoformat()}">'
            f"{escape(format_date(report.reported_at, language))}</time> "
            f'<strong>{escape(HEALTH[report.health][language])}</strong>{by}'
            f"<p>{escape(report.summary)}</p></li>")
    transfer = row.transfer
    if transfer is None:
        moved = escape(word("transfer_none", language))
    else:
        parts = [TRANSFER[transfer.status][language].capitalize()]
        source = snapshot.organizations.get(transfer.from_organization_id) \
            if transfer.from_organization_id else None
        target = snapshot.organizations.get(transfer.to_organization_id) \
            if transfer.to_organization_id else None
        if source or target:
            parts.append(word("transfer_from_to", language, source=source.name if source else "–",
                              target=target.name if target else "–"))
        if transfer.effective_date:
            parts.append(word("transfer_on", language,
                              date=format_date(transfer.effective_date, language)))
        moved = escape(", ".join(parts)) + (f"<p>{escape(transfer.note)}</p>" if transfer.note
                                            else "")

    def facts_list(pairs: list[tuple[str, str]]) -> str:
        return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in pairs) + "</dl>"

    timeline = (f'<ol class="timeline">{"".join(history)}</ol>' if history
                else f'<p>{escape(word("no_history", language))}</p>')
    body = (f'<p><a href="{escape(page.href("/tab"))}">{escape(word("back", language))}</a></p>'
            f"<h1>{escape(project.name)} ({escape(project.code)})</h1>"
            + facts_list(facts)
            + f'<h2>{escape(word("description", language))}</h2>'
            + f"<p>{escape(project.description or '–')}</p>"
            + f'<h2>{escape(word("people", language))}</h2>' + facts_list(people)
            + f'<h2>{escape(word("transfer", language))}</h2><div class="transfer">{moved}</div>'
            + f'<h2 id="history">{escape(word("history", language))}</h2>' + timeline)
    return document(page, f"{project.name} ({project.code})", body)

""""Mine prosjekter": a person's own projects, each once, with stale reports counted."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from bot.tab.mine import STALE_AFTER_DAYS, mine_fragment
from bot.tab.page import Page
from knowledge.answers.answers import Language
from knowledge.portfolio.demo_database import demo_portfolio
from knowledge.portfolio.model import Role
from knowledge.portfolio.snapshot import Snapshot, build_snapshot
from knowledge.portfolio.validation import validate

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
APP_ID = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"


def snapshot_where_the_owner_also_leads(code: str) -> Snapshot:
    data = demo_portfolio()
    [project] = [p for p in data["project"] if p["code"] == code]
    project["manager_id"] = project["owner_id"]
    records, skipped = validate(data)
    assert not skipped
    return build_snapshot(records, NOW)


def test_each_own_project_once_with_every_role_and_the_stale_ones_counted() -> None:
    snapshot = snapshot_where_the_owner_also_leads("RP-002")
    owner = snapshot.persons[snapshot.projects[snapshot.codes["rp-002"]].owner_id or 0]
    html = mine_fragment(snapshot, (owner.aad_object_id or "").upper(), Page(Language.NB),
                         APP_ID, NOW)
    own = sorted((p for p in snapshot.projects.values() if owner.id in (p.owner_id, p.manager_id)),
                 key=lambda p: p.code)
    codes = re.findall(r">((?:RP|ST)-\d{3}) ", html)
    assert codes == sorted(p.code for p in own) and codes.count("RP-002") == 1
    assert "(prosjekteier, prosjektleder)" in html
    stale = 0
    for project in own:
        report = snapshot.latest_report(project.id)
        stale += report is None or NOW - report.reported_at > timedelta(days=STALE_AFTER_DAYS)
    assert f"{stale} av rapportene dine er eldre enn 14 dager." in html
    assert html.count("Rapporter status</a>") == len(own)
    assert f"users=28%3A{APP_ID}&amp;message=statusskjema" in html


def test_who_is_not_in_the_portfolio_or_owns_nothing(sqlite_demo_snapshot: Snapshot) -> None:
    page = Page(Language.EN)
    unknown = mine_fragment(sqlite_demo_snapshot, "0b0b0b0b-1111-4222-8333-444444444444", page,
                            APP_ID, NOW)
    assert "You are not in the portfolio database." in unknown
    members_only = [person for person in sqlite_demo_snapshot.persons.values()
                    if person.aad_object_id and not any(
                        a.role in (Role.OWNER, Role.MANAGER)
                        for a in sqlite_demo_snapshot.assignments.get(person.id, ()))]
    assert members_only, "the demo has people who own and lead nothing"
    someone = members_only[0]
    html = mine_fragment(sqlite_demo_snapshot, someone.aad_object_id or "", page, "", NOW)
    assert f"{someone.full_name}, you do not own or lead any project" in html


def test_no_status_button_without_an_app_id(sqlite_demo_snapshot: Snapshot) -> None:
    lead = next(p for p in sqlite_demo_snapshot.persons.values()
                if p.aad_object_id and any(a.role is Role.MANAGER for a in
                                           sqlite_demo_snapshot.assignments.get(p.id, ())))
    html = mine_fragment(sqlite_demo_snapshot, lead.aad_object_id or "", Page(Language.NB), "",
                         NOW)
    assert "Rapporter status" not in html and re.search(r"(?:RP|ST)-\d{3}", html)

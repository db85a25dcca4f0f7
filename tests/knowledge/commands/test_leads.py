"""Only a project's owner or manager may post its status; a lead's own projects and staleness."""

from __future__ import annotations

from knowledge.commands.leads import Refusal, led_projects, may_post
from knowledge.portfolio.model import Role
from knowledge.portfolio.snapshot import Snapshot
from tests.conftest import TODAY

MAGNUS = "00c96072-3988-5779-ad96-54b2cf043bfb"     # manager of ST-003 and ST-007
ERIK = "CCDE2F7A-5E39-530C-93C9-9B38AFBD2C6C"       # owner of the STIM projects (upper case)
LISE = "20e0217b-2db5-5af1-b775-56d82f6f84f8"       # architect on RP-001, leads nothing


def project_id(s: Snapshot, code: str) -> int:
    return next(p.id for p in s.projects.values() if p.code == code)


def test_manager_and_owner_may_post(sqlite_demo_snapshot: Snapshot) -> None:
    s = sqlite_demo_snapshot
    assert may_post(s, MAGNUS, project_id(s, "ST-007")).allowed
    assert may_post(s, ERIK, project_id(s, "ST-007")).allowed


def test_member_is_refused_with_the_leads_named(sqlite_demo_snapshot: Snapshot) -> None:
    s = sqlite_demo_snapshot
    permission = may_post(s, LISE, project_id(s, "RP-001"))
    assert permission.refusal is Refusal.NOT_A_LEAD
    assert {p.full_name for p in permission.leads} == {"Hilde Johansen", "Ola Hansen"}


def test_unknown_or_missing_sender_is_refused(sqlite_demo_snapshot: Snapshot) -> None:
    s = sqlite_demo_snapshot
    assert may_post(s, "ffffffff-0000-0000-0000-000000000000",
                    project_id(s, "ST-007")).refusal is Refusal.UNKNOWN_SENDER
    assert may_post(s, None, project_id(s, "ST-007")).refusal is Refusal.UNKNOWN_SENDER


def test_led_projects_with_age_and_staleness(sqlite_demo_snapshot: Snapshot) -> None:
    s = sqlite_demo_snapshot
    magnus = s.persons_by_aad[MAGNUS]
    led = led_projects(s, magnus, TODAY)
    assert [(item.project.code, item.role) for item in led] == [
        ("ST-003", Role.MANAGER), ("ST-007", Role.MANAGER)]
    wireless = led[1]
    assert wireless.age_days == 8 and not wireless.stale
    assert led[0].age_days == 15 and led[0].stale

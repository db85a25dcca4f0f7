"""The snapshot's precomputed list index gives exactly what a plain scan of the records gives."""

from __future__ import annotations

import itertools

import pytest

from knowledge.portfolio.model import Health, Phase, TransferStatus
from knowledge.portfolio.snapshot import Snapshot


def scan(s: Snapshot, health: set[Health], phases: set[Phase], transfers: set[TransferStatus],
         programme_id: int | None, organizations: frozenset[int] | None,
         transfer_organizations: frozenset[int] | None) -> list[str]:
    codes = []
    for project in s.projects.values():
        report = s.latest_report(project.id)
        transfer = s.transfers.get(project.id)
        if health and (report is None or report.health not in health):
            continue
        if phases and project.phase not in phases:
            continue
        if transfers and (transfer is None or transfer.status not in transfers):
            continue
        if programme_id is not None and project.programme_id != programme_id:
            continue
        if organizations is not None and project.organization_id not in organizations:
            continue
        if transfer_organizations is not None and (
                transfer is None or (transfer.to_organization_id not in transfer_organizations
                                     and transfer.from_organization_id not in transfer_organizations)):
            continue
        codes.append(project.code)
    return sorted(codes)


HEALTHS = [set(), {Health.RED}, {Health.GREEN, Health.YELLOW}]
PHASES = [set(), {Phase.EXECUTION}, {Phase.CONCEPT, Phase.PLANNING, Phase.EXECUTION}, {Phase.CLOSED}]
TRANSFERS = [set(), {TransferStatus.TRANSFERRED}, {TransferStatus.COMPLETED_BEFORE_TRANSFER}]


@pytest.mark.parametrize(("health", "phases", "transfers"),
                         list(itertools.product(HEALTHS, PHASES, TRANSFERS)))
def test_project_list_matches_a_plain_scan(sqlite_demo_snapshot: Snapshot, health: set[Health],
                                           phases: set[Phase], transfers: set[TransferStatus]) -> None:
    s = sqlite_demo_snapshot
    for programme_id in (None, *s.programmes):
        for organization in (None, *s.organizations):
            subtree = s.organization_subtree(organization) if organization is not None else None
            by_project = subtree if not transfers else None
            by_transfer = subtree if transfers else None
            got = [item.project.code for item in s.project_list(
                health=health, phases=phases, transfer_statuses=transfers,
                programme_id=programme_id, organizations=by_project,
                transfer_organizations=by_transfer)]
            assert got == sorted(got)
            assert got == scan(s, health, phases, transfers, programme_id, by_project, by_transfer)


def test_some_filters_select_something(sqlite_demo_snapshot: Snapshot) -> None:
    red = sqlite_demo_snapshot.project_list(health={Health.RED})
    assert [item.project.code for item in red] == ["RP-004", "ST-005"]

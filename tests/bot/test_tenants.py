"""Only allowed tenants get answers; the rest are logged and counted."""

from __future__ import annotations

from bot.teams_activities import TeamsScene
from bot.tenants import TenantGate, tenant_of

OURS = "7a1b2c3d-0000-4000-8000-000000000001"


def test_tenant_is_read_from_channel_data_or_conversation() -> None:
    scene = TeamsScene(tenant_id=OURS.upper())
    assert tenant_of(scene.message("hei")) == OURS
    assert tenant_of({"conversation": {"tenantId": OURS}}) == OURS
    assert tenant_of({"type": "message"}) is None


def test_gate_admits_allowed_and_counts_the_rest() -> None:
    gate = TenantGate([OURS, " "])
    assert gate.admits(TeamsScene(tenant_id=OURS).message("hei"))
    assert not gate.admits(TeamsScene(tenant_id="ffffffff-0000-4000-8000-000000000009")
                           .message("hei"))
    assert not gate.admits({"type": "message"})
    assert gate.refused == 2


def test_no_list_means_every_tenant() -> None:
    gate = TenantGate([])
    assert not gate.active and gate.admits({"type": "message"})

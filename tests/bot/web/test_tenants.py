"""Only allowed tenants get answers; the rest are logged and counted."""

from __future__ import annotations

from pathlib import Path

from bot.cli.local_connector import LocalConnector
from bot.cli.teams_activities import TeamsScene
from bot.web.tenants import TenantGate, tenant_of

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


async def test_other_tenants_get_no_answer_and_are_counted(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    from dataclasses import replace

    from aiohttp import ClientSession

    from tests.bot.conftest import post, running_bot, settings_for

    settings = replace(settings_for(demo_url, tmp_path), allowed_tenant_ids=(OURS,))
    async with running_bot(settings) as url:
        ours = TeamsScene(service_url=connector.url, tenant_id=OURS)
        stranger = TeamsScene(service_url=connector.url,
                              tenant_id="ffffffff-0000-4000-8000-000000000009")
        assert (await post(url, stranger.message("Hvem eier DHO?")))[0] == 202
        assert (await post(url, ours.message("Hvem eier DHO?")))[0] in (200, 201)
        replies = [a for a in connector.activities if a.type == "message"]
        assert len(replies) == 1 and "Hilde Johansen" in replies[0].shown_text
        async with ClientSession() as client, client.get(
                url.replace("/api/messages", "/metrics")) as response:
            assert "portfoliobot_foreign_tenant_activities_total 1" in await response.text()


async def test_a_tenant_taken_off_the_list_can_still_unsubscribe(
        demo_url: str, tmp_path: Path, connector: LocalConnector) -> None:
    """A channel subscribed while its tenant was allowed; the tenant is then removed from
    ALLOWED_TENANT_IDS. Its questions go unanswered, but `avslutt alle abonnementer` is taken
    and answered, and the reference stored for it names its tenant (from channelData)."""
    from dataclasses import replace

    from tests.bot.conftest import post, running_bot, settings_for
    from tests.helpers import fetch

    theirs = "3c3c3c3c-0000-4000-8000-000000000003"
    base = settings_for(demo_url, tmp_path)
    channel = TeamsScene(service_url=connector.url, tenant_id=theirs.upper(), scope="channel")
    connector.members = [channel.member()]
    async with running_bot(replace(base, allowed_tenant_ids=(OURS, theirs))) as url:
        await post(url, channel.message("abonner alle"))
        await connector.wait_for(lambda a: a.type == "message")
    subscribed = await fetch(base.bot_database_url, "SELECT COUNT(*) FROM subscription")
    assert subscribed == [(1,)]
    assert await fetch(base.bot_database_url,
                       "SELECT tenant_id FROM conversation_reference") == [(theirs,)]
    async with running_bot(replace(base, allowed_tenant_ids=(OURS,))) as url:
        seen = len(connector.activities)
        assert (await post(url, channel.message("Hvem eier DHO?")))[0] == 202
        assert (await post(url, channel.message("avslutt alle abonnementer")))[0] in (200, 201)
        [reply] = await connector.wait_for(lambda a: a.type == "message", since=seen)
        assert "avsluttet" in reply.shown_text, reply.text
        assert not [a for a in connector.activities[seen:] if "Hilde Johansen" in a.shown_text]
    assert await fetch(base.bot_database_url, "SELECT COUNT(*) FROM subscription") == [(0,)]


def test_only_leaving_is_let_through_from_another_tenant() -> None:
    stranger = TeamsScene(tenant_id="ffffffff-0000-4000-8000-000000000009", scope="channel")
    gate = TenantGate([OURS])
    assert gate.admits(stranger.message("avslutt abonnement DHO"))
    assert gate.admits(stranger.message("unsubscribe all"))
    assert gate.admits(stranger.installation_update("remove"))
    assert not gate.admits(stranger.installation_update("add"))
    assert not gate.admits(stranger.message("abonner alle"))
    assert not gate.admits(stranger.message("avslutt"))
    assert gate.refused == 3

"""`bot.observability.metrics`: `BotMetrics.render()` read back with prometheus_client's parser,
value by value. `tests/bot/test_observability.py` scrapes the same over HTTP from the bot."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from bot.observability.metrics import TURN_BUCKETS, BotMetrics
from knowledge.answers.answers import Greeting, Language, NotFound, NotUnderstood
from tests.bot.observability.exposition import FAMILIES, parse


class Syncer:
    last_error: str | None = "could not connect to the portfolio database"

    def age_seconds(self) -> float | None:
        return 12.5


class Outbox:
    def __init__(self) -> None:
        self.down = False

    async def counts(self) -> dict[str, int]:
        if self.down:
            raise ConnectionError("database down")
        return {"queued": 2, "sending": 0, "delivered": 5, "dead": 1, "failed": 1}


class Worker:
    delivered, retried, dead, withdrawn, refused_tenant = 5, 3, 1, 2, 0


def families(metrics_text: str) -> dict[str, tuple[str, str, set[str]]]:
    parsed = parse(metrics_text)
    return {name: (parsed.types[name], parsed.helps[name], parsed.labels[name])
            for name in parsed.types}


async def test_before_binding_every_family_is_there_without_made_up_samples() -> None:
    metrics = BotMetrics()
    text = await metrics.render()
    assert {name: (kind, help_text) for name, (kind, help_text, _) in families(text).items()} \
        == {name: (kind, help_text) for name, (kind, help_text, _) in FAMILIES.items()}
    parsed = parse(text)
    assert parsed.get("portfoliobot_unanswered_total") == 0
    assert parsed.get("portfoliobot_foreign_tenant_activities_total") == 0
    for unknown_yet in ("portfoliobot_snapshot_age_seconds", "portfoliobot_sync_seconds",
                        "portfoliobot_outbox_depth", "portfoliobot_sync_leader",
                        "portfoliobot_sync_failing", "portfoliobot_retention_purged_rows_total",
                        "portfoliobot_retention_last_run_timestamp_seconds",
                        "portfoliobot_notifications_dead_total"):
        assert not parsed.named(unknown_yet), f"{unknown_yet}: no source yet, no sample"
    assert "_created" not in text


async def test_bot_metrics_after_binding() -> None:
    metrics = BotMetrics()
    metrics.observe_turn("message", "ok", 0.02)
    metrics.observe_turn("message", "error", 3.0)
    metrics.observe_turn("somethingAClientMadeUp", "ok", 0.001)
    metrics.observe_turn(None, "ok", 0.001)
    metrics.count_answer(Greeting(Language.NB))
    metrics.count_answer(NotFound(Language.NB, "marsferd"))
    metrics.count_answer(NotUnderstood(Language.EN))
    metrics.count_answer(NotUnderstood(Language.NB))
    metrics.observe_sync(0.25)
    metrics.observe_retention({"outbox": 12, "bot_state": 0}, datetime(2026, 1, 5, tzinfo=UTC))
    metrics.observe_retention({"outbox": 3, "bot_state": 1}, datetime(2026, 1, 6, tzinfo=UTC))
    metrics.foreign_tenant.inc()
    metrics.bind(Syncer(), Outbox(), Worker())

    text = await metrics.render()
    assert families(text) == FAMILIES
    parsed = parse(text)
    assert parsed.get("portfoliobot_turns_total", type="message", outcome="ok") == 1
    assert parsed.get("portfoliobot_turns_total", type="message", outcome="error") == 1
    assert parsed.get("portfoliobot_turns_total", type="other", outcome="ok") == 2
    assert parsed.get("portfoliobot_turn_seconds_count") == 4
    bucket_values = [parsed.get("portfoliobot_turn_seconds_bucket", le=repr(float(b)))
                     for b in TURN_BUCKETS]
    assert bucket_values == sorted(bucket_values) and bucket_values[0] == 2
    assert parsed.get("portfoliobot_turn_seconds_bucket", le="+Inf") == 4
    assert parsed.get("portfoliobot_turn_seconds_sum") == pytest.approx(3.022)
    assert parsed.named("portfoliobot_answers_total") == {
        frozenset({("intent", "Greeting")}): 1, frozenset({("intent", "NotFound")}): 1,
        frozenset({("intent", "NotUnderstood")}): 2}
    assert parsed.get("portfoliobot_unanswered_total") == 3
    assert parsed.get("portfoliobot_sync_seconds") == 0.25
    assert parsed.get("portfoliobot_foreign_tenant_activities_total") == 1
    assert parsed.get("portfoliobot_snapshot_age_seconds") == 12.5
    assert parsed.get("portfoliobot_outbox_depth", status="queued") == 2
    assert parsed.get("portfoliobot_outbox_depth", status="failed") == 1
    assert parsed.get("portfoliobot_notifications_delivered_total") == 5
    assert parsed.get("portfoliobot_notifications_retried_total") == 3
    assert parsed.get("portfoliobot_notifications_dead_total") == 1
    assert parsed.get("portfoliobot_sync_failing") == 1
    assert parsed.named("portfoliobot_retention_purged_rows_total") == {
        frozenset({("table", "outbox")}): 15, frozenset({("table", "bot_state")}): 1}
    assert parsed.get("portfoliobot_retention_last_run_timestamp_seconds") \
        == datetime(2026, 1, 6, tzinfo=UTC).timestamp()


async def test_a_failing_outbox_query_leaves_only_its_metric_out(
        caplog: pytest.LogCaptureFixture) -> None:
    metrics = BotMetrics()
    outbox = Outbox()
    metrics.bind(Syncer(), outbox, Worker())
    outbox.down = True
    with caplog.at_level(logging.ERROR, logger="portfoliobot.metrics"):
        parsed = parse(await metrics.render())
    assert "portfoliobot_outbox_depth" not in parsed.types
    assert parsed.get("portfoliobot_snapshot_age_seconds") == 12.5, "the rest is served"
    assert any("portfoliobot_outbox_depth" in r.getMessage() for r in caplog.records)
    outbox.down = False
    assert parse(await metrics.render()).get("portfoliobot_outbox_depth", status="dead") == 1


async def test_each_app_has_its_own_registry() -> None:
    first, second = BotMetrics(), BotMetrics()
    first.count_answer(NotFound(Language.EN, "mars"))
    assert parse(await first.render()).get("portfoliobot_unanswered_total") == 1
    assert parse(await second.render()).get("portfoliobot_unanswered_total") == 0

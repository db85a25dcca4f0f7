"""Reading `/metrics` back the way Prometheus would: `prometheus_client`'s own text parser."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import ClientSession
from prometheus_client.parser import text_string_to_metric_families

Key = tuple[str, frozenset[tuple[str, str]]]

# Every family the bot exposes: (type, help text, label names). A scraper's contract.
FAMILIES = {
    "portfoliobot_turns": ("counter", "Turns handled, by activity type and outcome (ok or error).",
                           {"type", "outcome"}),
    "portfoliobot_turn_seconds": ("histogram", "Time to handle a turn, in seconds.", set()),
    "portfoliobot_answers": ("counter", "Answers sent, by answer class.", {"intent"}),
    "portfoliobot_unanswered": ("counter", "Questions answered with NotFound or NotUnderstood.",
                                set()),
    "portfoliobot_sync_seconds": ("gauge", "Duration of the last successful portfolio sync, in "
                                  "seconds.", set()),
    "portfoliobot_foreign_tenant_activities": (
        "counter", "Activities ignored because their tenant is not in ALLOWED_TENANT_IDS.", set()),
    "portfoliobot_snapshot_age_seconds": ("gauge", "Seconds since the last successful portfolio "
                                          "sync.", set()),
    "portfoliobot_outbox_depth": ("gauge", "Notification outbox rows by status (failed: queued "
                                  "rows waiting for a retry).", {"status"}),
    "portfoliobot_notifications_delivered": ("counter", "Notifications delivered by this "
                                             "process.", set()),
    "portfoliobot_notifications_retried": ("counter", "Notification deliveries scheduled for a "
                                           "retry.", set()),
    "portfoliobot_notifications_dead": ("counter", "Notifications given up on.", set()),
    "portfoliobot_notifications_withdrawn": ("counter", "Notifications withdrawn before they "
                                             "were sent (the report was undone, the "
                                             "conversation unsubscribed).", set()),
    "portfoliobot_notifications_refused_tenant": ("counter", "Notifications not delivered "
                                                  "because the conversation's tenant is not "
                                                  "in ALLOWED_TENANT_IDS.", set()),
    "portfoliobot_sync_leader": ("gauge", "1 while this replica is the sync leader (publishes "
                                 "changes, runs the schedules), else 0.", set()),
    "portfoliobot_sync_failing": ("gauge", "1 while the last portfolio sync failed (answers "
                                  "come from an older snapshot; the log says why), else 0.", set()),
    "portfoliobot_retention_purged_rows": ("counter", "Rows deleted by retention runs, by bot "
                                           "database table.", {"table"}),
    "portfoliobot_retention_last_run_timestamp_seconds": (
        "gauge", "When this replica's last retention run finished (Unix time); only the sync "
        "leader runs it.", set()),
}


@dataclass
class Exposition:
    """Samples by name and labels; types and help texts by family name (as the parser names
    them: a counter's family drops `_total`, its samples keep it)."""

    samples: dict[Key, float] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)
    labels: dict[str, set[str]] = field(default_factory=dict)

    def get(self, name: str, **labels: str) -> float:
        return self.samples[(name, frozenset(labels.items()))]

    def named(self, name: str) -> dict[frozenset[tuple[str, str]], float]:
        return {labels: value for (n, labels), value in self.samples.items() if n == name}


def parse(text: str) -> Exposition:
    """The families and samples of a text exposition; a duplicate sample fails."""
    assert text.endswith("\n")
    out = Exposition()
    for family in text_string_to_metric_families(text):
        assert family.name not in out.types, f"{family.name} appears twice"
        out.types[family.name] = family.type
        out.helps[family.name] = family.documentation
        out.labels[family.name] = set()
        for sample in family.samples:
            key = (sample.name, frozenset(sample.labels.items()))
            assert key not in out.samples, f"duplicate sample {sample}"
            out.samples[key] = sample.value
            out.labels[family.name] |= set(sample.labels) - {"le"}
    return out


async def scrape(base_url: str) -> tuple[str, Exposition]:
    """GET `<base_url>/metrics` over HTTP: its Content-Type and the parsed page."""
    async with ClientSession() as client, client.get(f"{base_url}/metrics") as response:
        assert response.status == 200
        return response.headers["Content-Type"], parse(await response.text())

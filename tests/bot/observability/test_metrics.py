"""`bot.observability.metrics`: the exposition text, parsed back and checked value by value."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pytest

from bot.observability.metrics import TURN_BUCKETS, BotMetrics, Registry, escape_label_value

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')

Key = tuple[str, frozenset[tuple[str, str]]]


def _unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "\\": "\\", '"': '"'}[m.group(1)], value)


@dataclass
class Exposition:
    samples: dict[Key, float] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, **labels: str) -> float:
        return self.samples[(name, frozenset(labels.items()))]

    def named(self, name: str) -> dict[frozenset[tuple[str, str]], float]:
        return {labels: value for (n, labels), value in self.samples.items() if n == name}


def parse(text: str) -> Exposition:
    """A strict reader of the text format: every line must be HELP, TYPE or a sample."""
    assert text.endswith("\n")
    out = Exposition()
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            out.helps[name] = help_text
            continue
        if line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert kind in ("counter", "gauge", "histogram", "summary", "untyped")
            assert name in out.helps, "HELP comes before TYPE"
            out.types[name] = kind
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        name, label_text, value = match.groups()
        labels: set[tuple[str, str]] = set()
        rest = label_text or ""
        while rest:
            label = _LABEL.match(rest)
            assert label, f"bad labels in {line!r}"
            labels.add((label.group(1), _unescape(label.group(2))))
            rest = rest[label.end():]
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in out.types else name
        assert family in out.types, f"{name} has no TYPE line before it"
        key = (name, frozenset(labels))
        assert key not in out.samples, f"duplicate sample {line!r}"
        out.samples[key] = float(value)
    return out


async def test_counters_with_labels_and_escaping() -> None:
    registry = Registry()
    counter = registry.counter("demo_total", "A demo\\counter\nwith two lines.", ("kind",))
    counter.inc(kind="plain")
    counter.inc(2, kind="plain")
    nasty = 'back\\slash "quoted"\nnew line'
    counter.inc(kind=nasty)
    text = await registry.render()
    assert '# HELP demo_total A demo\\\\counter\\nwith two lines.\n' in text
    assert '# TYPE demo_total counter\n' in text
    assert 'demo_total{kind="back\\\\slash \\"quoted\\"\\nnew line"} 1\n' in text
    parsed = parse(text)
    assert parsed.get("demo_total", kind="plain") == 3
    assert parsed.get("demo_total", kind=nasty) == 1
    with pytest.raises(ValueError, match="takes labels"):
        counter.inc(kind="x", other="y")
    with pytest.raises(ValueError, match="only goes up"):
        counter.inc(-1, kind="x")
    assert escape_label_value("a\\b") == "a\\\\b"


async def test_histogram_is_cumulative_with_sum_count_and_inf() -> None:
    registry = Registry()
    histogram = registry.histogram("latency_seconds", "Latency.", (0.1, 1, 0.5))
    for value in (0.05, 0.1, 0.3, 0.7, 2.0, 30.0):
        histogram.observe(value)
    text = await registry.render()
    parsed = parse(text)
    assert parsed.types["latency_seconds"] == "histogram"
    buckets = {dict(labels)["le"]: value
               for labels, value in parsed.named("latency_seconds_bucket").items()}
    assert buckets == {"0.1": 2, "0.5": 3, "1.0": 4, "+Inf": 6}
    assert parsed.get("latency_seconds_count") == 6
    assert math.isclose(parsed.get("latency_seconds_sum"), 33.15)
    lines = [line for line in text.splitlines() if line.startswith("latency_seconds_bucket")]
    assert [line.split('"')[1] for line in lines] == ["0.1", "0.5", "1.0", "+Inf"], "in order"


async def test_collected_metrics_sync_async_and_failing() -> None:
    registry = Registry()
    registry.collected("plain_gauge", "Computed.", lambda: [({}, 1.5)])

    async def depth() -> list[tuple[dict[str, str], float]]:
        return [({"status": "queued"}, 3), ({"status": "dead"}, 0)]

    def broken() -> list[tuple[dict[str, str], float]]:
        raise RuntimeError("database down")

    registry.collected("queue_depth", "By status.", depth)
    registry.collected("broken_gauge", "Fails.", broken)
    registry.collected("things_total", "A counter from elsewhere.", lambda: [({}, 7)],
                       kind="counter")
    parsed = parse(await registry.render())
    assert parsed.get("plain_gauge") == 1.5
    assert parsed.get("queue_depth", status="queued") == 3
    assert parsed.get("queue_depth", status="dead") == 0
    assert parsed.types["things_total"] == "counter" and parsed.get("things_total") == 7
    assert "broken_gauge" not in parsed.types, "a failing collector is left out, the rest stays"
    with pytest.raises(ValueError, match="already registered"):
        registry.counter("plain_gauge", "again")


async def test_bot_metrics_before_and_after_binding() -> None:
    metrics = BotMetrics()
    parsed = parse(await metrics.render())
    assert parsed.get("portfoliobot_unanswered_total") == 0
    assert not parsed.named("portfoliobot_snapshot_age_seconds"), "no sync yet: no sample"
    assert parsed.types["portfoliobot_outbox_depth"] == "gauge"
    assert parsed.types["portfoliobot_notifications_dead_total"] == "counter"

    metrics.observe_turn("message", "ok", 0.02)
    metrics.observe_turn("message", "error", 3.0)
    metrics.observe_turn("somethingAClientMadeUp", "ok", 0.001)
    metrics.count_answer("ProjectStatus")
    metrics.count_answer("NotFound")
    metrics.count_answer("NotUnderstood")
    metrics.observe_sync(0.25)

    class Syncer:
        def age_seconds(self) -> float | None:
            return 12.5

    class Outbox:
        async def counts(self) -> dict[str, int]:
            return {"queued": 2, "sending": 0, "delivered": 5, "dead": 1, "failed": 1}

    class Worker:
        delivered, retried, dead = 5, 3, 1

    metrics.bind(Syncer(), Outbox(), Worker())
    parsed = parse(await metrics.render())
    assert parsed.get("portfoliobot_turns_total", type="message", outcome="ok") == 1
    assert parsed.get("portfoliobot_turns_total", type="message", outcome="error") == 1
    assert parsed.get("portfoliobot_turns_total", type="other", outcome="ok") == 1
    assert parsed.get("portfoliobot_turn_seconds_count") == 3
    bucket_values = [parsed.get("portfoliobot_turn_seconds_bucket", le=repr(float(b)))
                     for b in TURN_BUCKETS]
    assert bucket_values == sorted(bucket_values) and bucket_values[0] == 1
    assert parsed.get("portfoliobot_turn_seconds_bucket", le="+Inf") == 3
    assert parsed.get("portfoliobot_answers_total", intent="NotFound") == 1
    assert parsed.get("portfoliobot_answers_total", intent="ProjectStatus") == 1
    assert parsed.get("portfoliobot_unanswered_total") == 2
    assert parsed.get("portfoliobot_sync_seconds") == 0.25
    assert parsed.get("portfoliobot_snapshot_age_seconds") == 12.5
    assert parsed.get("portfoliobot_outbox_depth", status="queued") == 2
    assert parsed.get("portfoliobot_outbox_depth", status="failed") == 1
    assert parsed.get("portfoliobot_notifications_delivered_total") == 5
    assert parsed.get("portfoliobot_notifications_retried_total") == 3
    assert parsed.get("portfoliobot_notifications_dead_total") == 1

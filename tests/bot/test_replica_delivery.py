"""Issue 12, item 10: two real replicas on one PostgreSQL deliver notifications each once, each
conversation's in order and within Teams' limits across both, measured at the connector
stand-in; the replica that delivers is killed with SIGKILL on the way and nothing is lost.

A small size of `bench/replica_delivery_bench.py` (`make replica-delivery` runs the full one):
80 notifications into one conversation (more than Teams' 60 per 30 s, so the limit binds) and
300 over 30 conversations (the 50-per-second limit of the app binds)."""

from __future__ import annotations

import pytest

from bench.replica_delivery_bench import run

pytestmark = pytest.mark.postgres


async def test_two_replicas_deliver_once_in_order_within_teams_limits() -> None:
    figures = await run(one=80, spread=300, conversations=30, kill=True, deadline=150.0)
    assert figures.killed is not None
    assert figures.missing == 0, figures.lines()
    assert figures.order_violations == 0, figures.lines()
    assert figures.over_limits == 0, figures.lines()
    assert figures.duplicates <= 1, figures.lines()   # at most the send the kill cut off

"""The fan-out benchmark's run, small (`bench/fanout_bench.py`; `make fanout` runs 1,000
channels): every subscribed channel gets the change exactly once, within Teams' 50/s."""

from __future__ import annotations

from bench.fanout_bench import TEAMS_PER_SECOND, run


async def test_a_change_reaches_every_channel_once_within_the_limit() -> None:
    figures = await run(120, 30.0)
    assert figures["delivered"] == figures["channels_with_one_message"] == 120
    assert figures["channels_with_more"] == 0 and figures["dead"] == 0
    # 120 messages at 50/s cannot take less than 1.4 s (the first 50 go at once).
    assert figures["seconds"] >= (120 - TEAMS_PER_SECOND) / TEAMS_PER_SECOND

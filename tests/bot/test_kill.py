"""The kill benchmark, small: SIGKILL a real `python -m bot serve` twice, once while status
updates are written and once while the outbox is delivered, restart it, and check that no
confirmed update is lost or doubled and every queued notification arrives. About 10 s.
(`python -m bench.kill_bench` runs the full one.)"""

from __future__ import annotations

from bench.kill_bench import parser, run


async def test_sigkill_loses_and_doubles_nothing() -> None:
    figures = await run(parser().parse_args(
        ["--rounds", "2", "--updates", "5", "--notices", "5", "--seed", "3"]))
    report = "\n".join(figures.lines() + figures.stuck_answers)
    assert figures.kills == 2 and figures.restarts == 2, report
    assert figures.updates == 10 and figures.confirmed == 10, report
    assert (figures.lost, figures.doubled, figures.stuck) == (0, 0, 0), report
    assert figures.notices_accepted == 10 and figures.missing == 0, report
    assert figures.outbox == {"delivered": figures.notifications_delivered}, report

"""`bot.tasks.stop_task`: the task ends, the stopper's own cancellation is never swallowed."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from bot.tasks import stop_task


async def test_a_running_task_is_cancelled_and_waited_for() -> None:
    task = asyncio.create_task(asyncio.sleep(60))
    await asyncio.sleep(0)
    await stop_task(task)
    assert task.cancelled()


async def test_nothing_to_stop() -> None:
    await stop_task(None)


async def test_a_task_that_swallows_its_cancel_is_given_up_on_after_the_limit(
        caplog: pytest.LogCaptureFixture) -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(60)
        await release.wait()   # as a retry loop that lost its cancellation would go on

    task = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    await asyncio.wait_for(stop_task(task, within=0.1), 2.0)
    assert not task.done()
    assert "stubborn did not stop within 0.1 s" in caplog.text
    release.set()
    await task


async def test_the_stoppers_own_cancellation_goes_on_to_the_stopper() -> None:
    """The pattern this replaces (`cancel(); with suppress(CancelledError): await task`)
    swallowed it, and a shut-down waiting on the stopper never ended."""
    release = asyncio.Event()

    async def slow_to_stop() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await release.wait()   # cleaning up takes a while
            raise

    task = asyncio.create_task(slow_to_stop())
    await asyncio.sleep(0)
    stopper = asyncio.create_task(stop_task(task))
    await asyncio.sleep(0.01)
    stopper.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(stopper, 2.0)
    release.set()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_a_failure_as_it_stops_is_logged_not_raised(
        caplog: pytest.LogCaptureFixture) -> None:
    async def fails_on_cancel() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            raise RuntimeError("could not close cleanly") from None

    task = asyncio.create_task(fails_on_cancel(), name="closer")
    await asyncio.sleep(0)
    await stop_task(task)
    assert "closer failed as it was stopped" in caplog.text
    assert "could not close cleanly" in caplog.text

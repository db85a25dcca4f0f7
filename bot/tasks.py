"""Stopping a background task without losing a cancellation, its own or its stopper's.

`task.cancel()` followed by `await task` under `suppress(CancelledError)` has two faults:
when the stopper is itself cancelled while it waits, that cancellation is swallowed with
the task's (its own shut-down then never ends), and a task whose cancellation something
inside it took for an ordinary error (aiohttp does, when its timeout fires at the same
moment) is waited for as long as it keeps running. `stop_task` avoids the first and bounds
the second.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger("portfoliobot.tasks")


async def stop_task(task: asyncio.Task[Any] | None, *, within: float | None = None) -> None:
    """Cancel `task` and wait until it ends, or `within` seconds (None: no limit).

    A cancellation of the caller while it waits goes on to the caller. What the task ended
    with other than its cancellation is logged, never raised: the caller is stopping it.
    """
    if task is None:
        return
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=within)
    if not done:
        log.error("task %s did not stop within %.1f s of being cancelled", task.get_name(),
                  within or 0.0)
        return
    if not task.cancelled() and task.exception() is not None:
        log.error("task %s failed as it was stopped", task.get_name(),
                  exc_info=task.exception())

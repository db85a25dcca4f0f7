"""The rules a project's status report lives by, defined once for the answers, the status
commands, the guided dialog and the bot.

- `STALE_AFTER_DAYS`: a project whose newest report is older than this is flagged as stale
  (in answers, in "my projects", in digests and reminders).
- `MAX_SUMMARY`: a report's summary holds at most this many characters.
- `UNDO_WINDOW`: how long after posting a lead may withdraw their own update (`angre`/`undo`).
"""

from __future__ import annotations

from datetime import timedelta

STALE_AFTER_DAYS = 14
MAX_SUMMARY = 1000
UNDO_WINDOW_MINUTES = 10
UNDO_WINDOW = timedelta(minutes=UNDO_WINDOW_MINUTES)

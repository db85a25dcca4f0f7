"""How old the portfolio data behind an answer is, and the note an answer gets when it is stale.

When a sync pass fails the syncer keeps its last good snapshot (`knowledge.portfolio.sync`) and answers
go on from it. While the last pass has failed, every answer the bot sends carries a note in
the user's language: the portfolio database cannot be read, and the data was read so long
ago (`Syncer.age_seconds`). Once a pass succeeds again the note goes away. `/readyz` tells
operators the same (`snapshot_age_seconds`, `last_sync_error`).
"""

from __future__ import annotations

from typing import Protocol

from knowledge.answers.answers import Language
from knowledge.answers.phrases import format_duration, say


class SyncState(Protocol):
    """What `DataAge` reads from a `knowledge.portfolio.sync.Syncer`."""

    @property
    def last_error(self) -> str | None: ...

    def age_seconds(self) -> float | None: ...


class DataAge:
    """The staleness note for answers, read from the syncer at the moment of each reply."""

    def __init__(self, syncer: SyncState) -> None:
        self.syncer = syncer

    def note(self, language: Language) -> str | None:
        """The note to add to an answer, or None while the data is current."""
        if self.syncer.last_error is None:
            return None
        age = self.syncer.age_seconds()
        if age is None:   # never synced: there is no snapshot to answer from either
            return None
        return say("data_stale", language, age=format_duration(age, language))

"""A notice from a system outside Teams, validated by the notify API and queued by the notifier."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """A validated notice: `project_code` None means every subscriber of anything."""

    project_code: str | None
    title: str
    text: str

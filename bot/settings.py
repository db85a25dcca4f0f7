"""Settings read once from the environment into one frozen object; a wrong value fails at start.

Bot Framework's own names (`MicrosoftAppId`, …) are kept as they are so an Azure Bot's
configuration can be pasted in unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from knowledge.database import sqlite_url


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message is one line for the operator."""


def default_data_dir(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("PORTFOLIOBOT_DATA_DIR", "data")).expanduser().resolve()


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    portfolio_database_url: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = default_data_dir(env)
        portfolio = env.get("PORTFOLIO_DATABASE_URL") or sqlite_url(data_dir / "portfolio.db")
        return cls(data_dir=data_dir, portfolio_database_url=portfolio)

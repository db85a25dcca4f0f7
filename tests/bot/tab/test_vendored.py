"""The teams-js the tab serves is the version package-lock.json pins (scripts/vendor-teams-js)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
VENDORED = ROOT / "bot" / "tab" / "static" / "vendor" / "MicrosoftTeams.min.js"


def test_the_vendored_teams_js_is_the_locked_version() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text("utf-8"))
    version = lock["packages"]["node_modules/@microsoft/teams-js"]["version"]
    text = VENDORED.read_text("utf-8")
    assert f'"{version}"' in text, f"bot/tab/static/vendor is not teams-js {version}"
    assert "microsoftTeams" in text[:400]
    licence = (VENDORED.parent / "MicrosoftTeams.LICENSE").read_text("utf-8")
    assert "Copyright (c) Microsoft Corporation" in licence and "MIT" in licence

"""What the browser tests need on the machine, and the one line that says how to get it.

Debian's Chromium (/usr/bin/chromium), Node.js and the Agents Playground's npm package in
node_modules/: `make browser-deps` installs them (`scripts/browser-deps`). Python's playwright
comes with the dev extra.
"""

from __future__ import annotations

from tests.e2e.chat import CHROMIUM
from tests.e2e.servers import PLAYGROUND_CLI, REPOSITORY, node_executable


def missing_browser_deps() -> list[str]:
    """What the browser tests need and this machine lacks (empty: nothing)."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    if node_executable() is None:
        missing.append("node")
    if not PLAYGROUND_CLI.exists():
        missing.append(str(PLAYGROUND_CLI.parent.relative_to(REPOSITORY)))
    return missing


def skip_reason() -> str | None:
    """Why the browser tests cannot run here, naming the command that fixes it; None: they can."""
    missing = missing_browser_deps()
    return f"browser tests need {', '.join(missing)}: run `make browser-deps`" if missing else None

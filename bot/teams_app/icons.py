"""The Teams app icons: two PNG files shipped with the package in `bot/teams_app/images/`.

Both show the same glyph, three rising bars on a base line (a portfolio at a glance), drawn
once on a 16-unit grid:

- `color.png`, 192×192 full colour (RGB): the glyph in white on the accent colour (#005B8F,
  the manifest's `accentColor`), filling the whole square (Teams rounds the corners itself);
  the glyph sits in the middle 96×96, inside the safe area Teams asks for.
- `outline.png`, 32×32 (RGBA): the glyph in opaque white on a fully transparent background, as
  Teams requires.

They are read as package data (`importlib.resources`), so the package has the same bytes on
every run.
"""

from __future__ import annotations

from importlib import resources

COLOR_SIZE = 192
OUTLINE_SIZE = 32
_IMAGES = resources.files("bot.teams_app") / "images"


def color_icon() -> bytes:
    """The 192×192 full-colour icon."""
    return (_IMAGES / "color.png").read_bytes()


def outline_icon() -> bytes:
    """The 32×32 outline icon: white on transparent."""
    return (_IMAGES / "outline.png").read_bytes()

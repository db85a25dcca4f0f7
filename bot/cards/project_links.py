"""Links to projects in the portfolio office's own web application, when it has one.

`PORTFOLIO_PROJECT_URL` (for example `https://portefolje.example.no/prosjekt/{code}`) is the
address of a project's page with `{code}` where its code goes. `ProjectLinks` makes a
project's address from it (the "Åpne i porteføljen" button on project cards) and reads a
pasted address back to its code (link unfurling, `bot.handlers.message_extension`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

PLACEHOLDER = "{code}"


class LinkTemplateError(ValueError):
    """The template cannot make project links; the message says why."""


@dataclass(frozen=True)
class ProjectLinks:
    template: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.template)
        if parts.scheme != "https" or not parts.hostname:
            raise LinkTemplateError("PORTFOLIO_PROJECT_URL must be an https address, e.g. "
                                    "https://portefolje.example.no/prosjekt/{code}")
        if self.template.count(PLACEHOLDER) != 1 or PLACEHOLDER in (parts.netloc or ""):
            raise LinkTemplateError("PORTFOLIO_PROJECT_URL must hold {code} once, in its path "
                                    "or query, where the project's code goes")

    @property
    def domain(self) -> str:
        """The host links point to: what the Teams manifest lets the bot unfurl."""
        return urlsplit(self.template).hostname or ""

    def url_for(self, code: str) -> str:
        return self.template.replace(PLACEHOLDER, quote(code, safe=""))

    def code_in(self, url: object) -> str | None:
        """The project code a pasted address names, or None when it is not such an address."""
        if not isinstance(url, str) or len(url) > 2048:
            return None
        before, after = self.template.split(PLACEHOLDER)
        found = re.fullmatch(re.escape(before) + r"([^/?#&]{1,64})" + re.escape(after) + r"/?",
                             url.strip(), flags=re.IGNORECASE)
        return unquote(found.group(1)) if found else None

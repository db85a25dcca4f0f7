"""Reading a `Bearer` JWT from an Authorization header, before any signature is checked.

Inbound Bot Framework tokens (`bot.auth.inbound_auth`) and the tab's Teams SSO tokens
(`bot.auth.tab_token`) are taken apart the same way: the scheme, a size limit, the token's
shape, then its header and claims unverified (for the checks that need no key). Each refusal
raises the caller's `TokenRefused` subclass with a short reason that is safe to log: never
the token.
"""

from __future__ import annotations

import re
from typing import Any

import jwt

MAX_TOKEN_CHARS = 16 * 1024
JWT_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class TokenRefused(PermissionError):
    """A request's token is missing or not acceptable; `reason` is for the log only."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def bearer_token(header: str | None, refused: type[TokenRefused],
                 shape: re.Pattern[str] = JWT_SHAPE) -> str:
    """The token of `Bearer <token>`, at most `MAX_TOKEN_CHARS` long and of `shape`."""
    if not header:
        raise refused("no Authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        raise refused("the Authorization scheme is not Bearer")
    if len(token) > MAX_TOKEN_CHARS:
        raise refused(f"the bearer token is longer than {MAX_TOKEN_CHARS} characters")
    if not token or not shape.match(token):
        raise refused("the bearer token is not a JWT")
    return token


def unverified_parts(token: str, refused: type[TokenRefused]) -> tuple[dict[str, Any],
                                                                      dict[str, Any]]:
    """The token's header and claims, signature not checked."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise refused(f"the bearer token is not a JWT ({type(error).__name__})") from error
    if not isinstance(claims, dict):
        raise refused("the token's claims are not an object")
    return header, claims

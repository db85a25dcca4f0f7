"""Reading a JSON request body, for every endpoint that takes one: the client's mistakes are 4xx.

`read_json_body` answers 415 for a Content-Type that is not JSON or a charset that is not
UTF-8 (Bot Framework and the notify API's clients send UTF-8; an unknown charset must not reach
a decoder that raises), 413 for a body over the app's size limit and 400 for bytes that are not
JSON. `problem` is the JSON error body of every 4xx the bot answers itself.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

MAX_BODY_BYTES = 256 * 1024   # the app's client_max_size: far above any Teams activity
UTF8_NAMES = frozenset({"utf-8", "utf8"})


def problem(status: int, reason: str) -> web.Response:
    """A JSON error body the client can read; used for every 4xx we answer ourselves."""
    return web.json_response({"error": reason}, status=status)


async def read_json_body(request: web.Request) -> Any | web.Response:
    """The parsed JSON body of `request`, or the 4xx response that says why there is none."""
    if request.content_type != "application/json":
        return problem(415, "Content-Type must be application/json")
    charset = request.charset
    if charset is not None and charset.strip().lower() not in UTF8_NAMES:
        return problem(415, "the body must be JSON in UTF-8 (charset=utf-8)")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return problem(413, f"the body is larger than {request.client_max_size} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError, ValueError):
        return problem(400, "the body is not valid JSON")

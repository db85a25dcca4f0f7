"""`POST /api/notify`: systems outside Teams push a notice to the channels that subscribed.

    POST /api/notify
    Authorization: Bearer <NOTIFY_API_TOKEN>
    {"project": "RP-001" | "all", "title": "…", "text": "…"}

→ 202 {"queued": N}. 401 for a missing or wrong token (compared in constant time), 400 with
a reason for a bad body (NUL characters and unpaired surrogates included), 404 for an unknown
project, 415 for a body that is not JSON. The endpoint answers 404 as if it did not exist
when no token is configured.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.notifications.notice import Notice
from bot.web.request_body import problem, read_json_body
from knowledge.language.text import storable

MAX_TITLE = 200
MAX_TEXT = 4000


Queue = Callable[[Notice], Awaitable[int | None]]   # None: the project is unknown


def read_notice(body: object) -> Notice | str:
    """The notice in `body`, or why it is not one."""
    if not isinstance(body, dict):
        return "the body must be a JSON object"
    project, title, text = body.get("project"), body.get("title"), body.get("text")
    if not isinstance(project, str) or not project.strip():
        return "'project' must be a project code or \"all\""
    if not isinstance(title, str) or not title.strip():
        return "'title' must be a non-empty string"
    if not isinstance(text, str) or not text.strip():
        return "'text' must be a non-empty string"
    if any(storable(value) != value for value in (project, title, text)):
        return "'project', 'title' and 'text' must not contain NUL or unpaired surrogates"
    if len(title) > MAX_TITLE or len(text) > MAX_TEXT:
        return f"'title' may have at most {MAX_TITLE} characters and 'text' {MAX_TEXT}"
    unknown = set(body) - {"project", "title", "text"}
    if unknown:
        return f"unknown field(s): {', '.join(sorted(map(str, unknown)))}"
    code = project.strip()
    return Notice(None if code.lower() == "all" else code, title.strip(), text.strip())


def notify_handler(token: str, queue: Queue) -> Callable[[web.Request], Awaitable[web.Response]]:
    """The request handler for a configured token; `queue` stores the notice for delivery."""
    expected = f"Bearer {token}".encode()

    async def notify(request: web.Request) -> web.Response:
        # Header bytes that are not UTF-8 arrive as surrogate escapes; keep them as bytes.
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            return problem(401, "missing or wrong bearer token")
        body = await read_json_body(request)
        if isinstance(body, web.Response):
            return body
        notice = read_notice(body)
        if isinstance(notice, str):
            return problem(400, notice)
        queued = await queue(notice)
        if queued is None:
            return problem(404, f"no project with code {notice.project_code!r}")
        return web.json_response({"queued": queued}, status=202)

    return notify


class NotifyRoute:
    """`/api/notify`, off (404) until start-up gives it the token and the queue."""

    def __init__(self) -> None:
        self.token = ""
        self.queue: Queue | None = None

    async def handle(self, request: web.Request) -> web.Response:
        if not self.token or self.queue is None:
            return problem(404, "/api/notify is off: NOTIFY_API_TOKEN is not set")
        return await notify_handler(self.token, self.queue)(request)

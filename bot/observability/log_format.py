"""How `portfoliobot serve` writes its log: readable text (default) or one JSON object per line.

`LOG_FORMAT=json` is for log collectors (Azure Monitor, Loki, Elastic): each record becomes
one line with `time` (UTC, ISO 8601), `level`, `logger` and `message`, plus the structured
fields a record carries through `extra=` (the per-turn line's `type`, `scope`, `outcome`,
`duration_ms`), and `exception` with the traceback when there is one. What is logged does not
change with the format: at INFO no message text and no secrets, in either.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key not in entry:
                entry[key] = _json_safe(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


def formatter_for(log_format: str) -> logging.Formatter:
    """The formatter for a `LOG_FORMAT` value ("text" or "json")."""
    if log_format == "json":
        return JsonFormatter()
    if log_format == "text":
        return logging.Formatter(TEXT_FORMAT)
    raise ValueError(f"unknown log format {log_format!r}")


def use_log_format(log_format: str, root: logging.Logger | None = None) -> None:
    """Give every handler of the root logger the formatter for `log_format`."""
    formatter = formatter_for(log_format)
    for handler in (root or logging.getLogger()).handlers:
        handler.setFormatter(formatter)

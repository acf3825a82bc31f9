"""JSON log lines. Secrets never reach a record: only named, safe fields are written."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_FIELDS = ("request_id", "method", "route", "status", "duration_ms", "error", "job", "count")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for field in _FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                line[field] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exc_type"] = record.exc_info[0].__name__
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("epicflow")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False

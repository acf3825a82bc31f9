"""Schemathesis hooks for tests/test_schemathesis.py, loaded by `st run` via SCHEMATHESIS_HOOKS.

In negative mode schemathesis sends extra headers whose values hold control characters (\\x0b,
\\x1c, ...). Those are not HTTP (RFC 9110 §5.5: a field value is visible characters, spaces and
tabs), so the server's HTTP parser answers `400 Invalid HTTP request received.` in text/plain
before the application ever sees the request, and status-code and content-type conformance then
"fail" on something no route can document. Dropping such headers keeps every request well-formed
HTTP without weakening any check on what the application answers.

A claim may wait up to 60 s for work (`wait_seconds`), longer than the run's request timeout:
a valid wait is shortened to one second, which answers the same way, only sooner.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis

_NOT_FIELD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_NOT_TOKEN = re.compile(r"[^!#$%&'*+\-.^_`|~0-9A-Za-z]")
LONGEST_WAIT_SECONDS = 1


def well_formed(name: str, value: str) -> bool:
    return bool(name) and not _NOT_TOKEN.search(name) and not _NOT_FIELD_VALUE.search(value)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers
    if headers:
        case.headers = {
            name: value for name, value in headers.items() if well_formed(str(name), str(value))
        }
    body = case.body
    if isinstance(body, dict):
        wait = body.get("wait_seconds")
        if type(wait) is int and LONGEST_WAIT_SECONDS < wait <= 60:
            body["wait_seconds"] = LONGEST_WAIT_SECONDS

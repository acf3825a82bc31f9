"""What a clean error answer is: a problem+json document that discloses nothing about the
server and does not echo a huge input back."""

from __future__ import annotations

import json

PROBLEM = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}
LEAKS = ("traceback", "sqlalchemy", "asyncpg", "sqlite", "psycopg", 'file "')
MAX_ERROR_BYTES = 20_000  # an error body never echoes a huge input back


def what_is_wrong(status: int, content_type: str, text: str) -> list[str]:
    """Each way an answer falls short of a clean 4xx problem+json; empty when it is one."""
    found: list[str] = []
    if not 400 <= status < 500:
        found.append(f"status {status}")
    if content_type != PROBLEM:
        found.append(f"content-type {content_type!r}")
    if len(text) > MAX_ERROR_BYTES:
        found.append(f"a {len(text)}-character error body")
    lowered = text.lower()
    found.extend(f"leaks {word!r}" for word in LEAKS if word in lowered)
    try:
        body = json.loads(text)
    except ValueError:
        return [*found, "a body that is not JSON"]
    if not isinstance(body, dict) or not set(body) >= PROBLEM_FIELDS:
        return [*found, f"a body without {sorted(PROBLEM_FIELDS)}"]
    if body["status"] != status:
        found.append(f"status {body['status']} in the body")
    if status == 422 and body["code"] == "validation_error" and not body.get("errors"):
        found.append("a 422 without errors")
    return found

"""Every string of a JSON bundle held to the API's rules, as a markdown file's are (the rule:
``markdown.validate.string_finding``): text fields take tab and newline, every other string,
object keys included, no control character; none takes a lone surrogate. Checked on the parsed
JSON before the models, so each string that breaks a rule is one finding naming its JSON path.
"""

from __future__ import annotations

import json
import re
from typing import Any

from epicflow.markdown.validate import string_finding
from epicflow.transfer.plan.inputs import RESERVED_KEYS
from epicflow.transfer.schemas import NOT_READ

# Members holding markdown text; the values of `ccpm.extra` are text too (as frontmatter values).
TEXT_FIELDS = frozenset(
    {"description", "tdd_requirements", "technical_details", "prd", "dependencies_note"}
)
IGNORED = NOT_READ
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _member(path: str, key: str) -> str:
    """``tasks[0].title``; a key that is no plain name as a JSON string (``extra["a\\u0000"]``)."""
    if _NAME.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key)}]"


def _walk(raw: Any) -> list[tuple[str, str]]:
    """Findings in document order. A loop, not recursion: the JSON may nest 1,000 deep."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str, bool]] = [(raw, "", False)]
    while stack:
        value, path, text = stack.pop()
        if isinstance(value, str):
            hit = string_finding(path, value, text_field=text)
            if hit is not None:
                found.append(hit)
        elif isinstance(value, list):
            stack += [(item, f"{path}[{i}]", text) for i, item in reversed(list(enumerate(value)))]
        elif isinstance(value, dict):
            stack += reversed(_members(value, path, text, found))
    return found


def _members(
    value: dict[str, Any], path: str, text: bool, found: list[tuple[str, str]]
) -> list[tuple[Any, str, bool]]:
    """The members to look into; a key that breaks the rule is a finding at once."""
    extra = path.endswith(".ccpm.extra")
    members = []
    for key, item in value.items():
        if not extra and key in IGNORED:
            continue
        where = _member(path, key)
        if not (extra and key in RESERVED_KEYS):  # the keys that keep a file's form
            hit = string_finding(f"key {where}", key)
            if hit is not None:
                found.append((where, hit[1]))
        members.append((item, where, text or extra or key in TEXT_FIELDS))
    return members


def string_errors(raw: Any, filename: str) -> list[dict[str, Any]]:
    """Each string of the bundle the API would refuse: ``{file, line, field, code, message}``."""
    return [
        {"file": filename, "line": None, "field": field, "code": "control_character", "message": m}
        for field, m in _walk(raw)
    ]

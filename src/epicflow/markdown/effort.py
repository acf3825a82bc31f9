"""The ``## Effort Estimate`` section: size, hours and parallel as people write them.

Reading is tolerant where the meaning is clear and strict where it is not:

- ``Size: M``, ``Size: Medium``, ``Size: M (Medium)``, ``Size: S (2-3 days)``, ``Size: M - one
  day``: a size, optionally followed by a note in parentheses or after a dash;
- ``Hours: 8``, ``6h``, ``2.5 hrs``, ``12小时``, ``~6``, ``4-6``, ``24-32 hours``, ``4 to 6h``,
  ``8 (with review)``: a number or a range of hours, an optional unit, an optional note in
  parentheses. **A range plans with its upper bound** (``4-6`` plans 6 hours): an estimate is a
  promise to finish within it, and the plan should not be optimistic. Days are not hours
  (``2 days`` is an error);
- ``Parallel: true (can run with the setup tasks)``: a flag, optionally followed by a note;
- keys may be bold (``**Size**: S``, ``- **Hours:** 8``) and in any case.

The first readable line of each key counts; every other line (free text, day-by-day breakdowns,
a second ``Hours:`` line) is kept as written. ``TaskDoc.effort_text`` holds the section as
written when it differs from what epicflow would write, so that export gives back the same lines:
a line is written back unchanged while its value still holds, and rewritten when it was edited.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from epicflow.markdown.errors import MarkdownError
from epicflow.markdown.model import MAX_HOURS

# Frontmatter keys some forks write; read only when the section does not give the value.
FRONT_SIZE = "effort"
FRONT_HOURS = "effort_hours"

# The key only: the value is what follows, stripped (a lazy value group followed by optional
# spaces took quadratic time on a long run of spaces).
_KEY = re.compile(
    r"\s*(?:[-*+]\s*)?(?:\*\*)?(size|hours|parallel)(?:\*\*)?\s*:(?:\s*\*\*)?", re.IGNORECASE
)
# What may follow a size or a flag: nothing, a note in parentheses, or a note after a dash/colon.
_NOTE = r"(?:\s*\(.*\)|\s+[-\u2013\u2014:,;]\s*\S.*)?\s*\Z"
_SIZE_WORDS = {
    "xs": "XS",
    "extra small": "XS",
    "extra-small": "XS",
    "x-small": "XS",
    "s": "S",
    "small": "S",
    "m": "M",
    "medium": "M",
    "l": "L",
    "large": "L",
    "xl": "XL",
    "extra large": "XL",
    "extra-large": "XL",
    "x-large": "XL",
}
_SIZE = re.compile(
    r"(" + "|".join(sorted(map(re.escape, _SIZE_WORDS), key=len, reverse=True)) + r")" + _NOTE,
    re.IGNORECASE,
)
_FLAGS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
_FLAG = re.compile(r"(true|false|yes|no|on|off)" + _NOTE, re.IGNORECASE)
_NUM = r"(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)"
_UNIT = r"(?:\s*(?:h|hrs?|hours?|[个個]?小[时時]|時間))?"
_RANGE = r"\s*(?:-|\u2013|\u2014|~|to)\s*"  # 4-6, en or em dash, 4~6 (common in Chinese), 4 to 6
_HOURS = re.compile(
    rf"(?:[~\u2248]\s*)?{_NUM}{_UNIT}(?:{_RANGE}{_NUM}{_UNIT})?(?:\s*\(.*\))?\s*\Z", re.IGNORECASE
)
_DAYS = re.compile(r".*\d\s*(?:d|days?|天|日|weeks?|wks?|周)\b", re.IGNORECASE)

ACCEPTED = {
    "size": "one of XS, S, M, L, XL (or Small, Medium...), optionally with a note: M (Medium)",
    "hours": f"a number from 0 to {MAX_HOURS:g} or a range, with an optional unit: 8, 6h, 4-6, "
    "24-32 hours, 12小时",
    "parallel": "true or false, optionally with a note: true (can run with the setup tasks)",
}


@dataclass(frozen=True)
class Effort:
    size: str | None
    hours: float | None
    parallel: bool | None
    text: str  # the section as written ("" when it is exactly what epicflow writes)


Value = str | float | bool


def key_of(line: str) -> tuple[str, str] | None:
    """(key, value text) of a ``Size:``/``Hours:``/``Parallel:`` line with a value, or None."""
    match = _KEY.match(line)
    if match is None:
        return None
    value = line[match.end() :].strip()
    value = value.removesuffix("**").rstrip()  # **Size:** **M**
    return (match.group(1).lower(), value) if value else None


def read_value(key: str, text: str) -> Value | None:
    """The value ``text`` gives for ``key``, or None when it is not readable."""
    if key == "size":
        size = _SIZE.match(text)
        return None if size is None else _SIZE_WORDS[size.group(1).lower()]
    if key == "parallel":
        flag = _FLAG.match(text)
        return None if flag is None else _FLAGS[flag.group(1).lower()]
    hours = _HOURS.match(text)
    if hours is None:
        return None
    low = float(hours.group(1))
    # A range plans with its upper bound (see the module docstring and docs/ccpm.md).
    high = low if hours.group(2) is None else float(hours.group(2))
    if not (math.isfinite(high) and low <= high <= MAX_HOURS):
        return None
    return high


def leniency(key: str, text: str) -> tuple[str, str] | None:
    """(code, message) for a warning when ``text`` was read as ``key``'s value leniently (a
    range, a unit, a note), None when it is written as epicflow writes it."""
    value = read_value(key, text)
    if value is None or canonical_line(key, value).split(": ", 1)[1] == text:
        return None
    if key == "hours":
        hours = _HOURS.match(text)
        assert hours is not None
        planned = canonical_line(key, value).split(": ", 1)[1]
        if hours.group(2) is not None:
            message = f"hours {text!r} plans {planned} h (a range plans with its upper bound)"
            return "hours_range", message
        return "effort_note", f"hours {text!r} read as {planned} h; the text is kept"
    shown = canonical_line(key, value).split(": ", 1)[1]
    return "effort_note", f"{key} {text!r} read as {shown}; the note is kept"


def _refuse(key: str, text: str, filename: str, line: int | None) -> MarkdownError:
    accepted = ACCEPTED["hours" if key == FRONT_HOURS else key]
    reason = "; days are not hours" if key != "size" and _DAYS.match(text) else ""
    return MarkdownError(filename, line, f"{key} must be {accepted}, not {text!r}{reason}")


def canonical(size: str | None, hours: float | None, parallel: bool) -> str:
    """The section as epicflow writes it for new or edited tasks."""
    lines = [canonical_line("size", size)] if size else []
    if hours is not None:
        lines.append(canonical_line("hours", hours))
    return "\n".join([*lines, canonical_line("parallel", parallel)])


def canonical_line(key: str, value: Value) -> str:
    if key == "hours":
        hours = float(value)
        return f"- Hours: {int(hours) if hours.is_integer() else repr(hours)}"
    if key == "parallel":
        return f"- Parallel: {'true' if value else 'false'}"
    return f"- Size: {value}"


def read_section(lines: list[tuple[int, str]], filename: str) -> dict[str, Value]:
    """The values the section gives, from the first line of each key; refuses what is unclear."""
    found: dict[str, Value] = {}
    for number, line in lines:
        written = key_of(line)
        if written is None or written[0] in found:
            continue
        key, text = written
        value = read_value(key, text)
        if value is None:
            raise _refuse(key, text, filename, number)
        found[key] = value
    return found


def front_values(
    extra: Mapping[str, str], filename: str, text: str = "", *, strict: bool = False
) -> dict[str, Value]:
    """Size and hours from frontmatter ``effort:`` / ``effort_hours:`` (kept in ``extra``).

    ``effort:`` is read only when it starts with a size (``M (8-12 hours)``): other values
    (``half a day``) are kept as written and not read. ``effort_hours:`` is read as hours; with
    ``strict`` (the section gives no hours, so it is needed) an unreadable one is an error.
    """
    found: dict[str, Value] = {}
    for name, value in extra.items():
        if name.lower() == FRONT_SIZE:
            size = read_value("size", value.strip())
            if size is not None:
                found["size"] = size
        elif name.lower() == FRONT_HOURS and value.strip():
            hours = read_value("hours", value.strip())
            if hours is None and strict:
                raise _refuse(FRONT_HOURS, value.strip(), filename, _front_line(text, name))
            if hours is not None:
                found["hours"] = hours
    return found


def _front_line(text: str, name: str) -> int | None:
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if line.startswith(f"{name}:"):
            return number
    return None


def render_section(
    text: str, values: Mapping[str, Value | None], front: Mapping[str, Value]
) -> str:
    """The section for ``values``: ``text`` (as written) with each key's first line kept while
    its value still holds, rewritten when it changed, dropped when the value was cleared; a
    value the text and the frontmatter fallback ``front`` do not give is added at the end."""
    out: list[str] = []
    seen: set[str] = set()
    for line in text.split("\n"):
        written = key_of(line)
        if written is None or written[0] in seen:
            out.append(line)
            continue
        key = written[0]
        seen.add(key)
        wanted = values[key]
        if read_value(key, written[1]) == wanted:
            out.append(line)
        elif wanted is not None:
            out.append(canonical_line(key, wanted))
    for key in ("size", "hours"):
        wanted = values[key]
        if key not in seen and wanted is not None and front.get(key) != wanted:
            out.append(canonical_line(key, wanted))
    return "\n".join(out)

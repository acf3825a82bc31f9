"""How import refuses: a 422 (or a 409) naming the file and, when known, the line.

The readers raise these directly; the pure planner raises ``Refused``, which ``problem`` turns
into the same answer.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from epicflow.markdown import MarkdownError
from epicflow.platform.errors import Conflict, Invalid
from epicflow.transfer.plan.planner import Refused

MAX_REPORTED_ERRORS = 20


def invalid(
    file: str, line: int | None, message: str, *, code: str = "invalid_markdown", **extra: Any
) -> Invalid:
    """A 422 naming the file (and line) like a compiler would: ``epics/x/003.md:4: ...``."""
    where = file if line is None else f"{file}:{line}"
    return Invalid(f"{where}: {message}", code=code, file=file, line=line, **extra)


def markdown_error(exc: MarkdownError, code: str = "invalid_markdown") -> Invalid:
    return invalid(exc.file, exc.line, exc.message, code=code)


def problem(refused: Refused) -> Invalid | Conflict:
    """What the planner refused, as the API answers it."""
    if refused.conflict:
        detail = f"{refused.file}: {refused.message}"
        extra = {**refused.extra, "file": refused.file, "line": refused.line}
        return Conflict(detail, code=refused.code, **extra)
    return invalid(refused.file, refused.line, refused.message, code=refused.code, **refused.extra)


def first_error(exc: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """The location and message of the first problem pydantic found."""
    error = exc.errors()[0]
    return tuple(error["loc"]), str(error["msg"])


def error_items(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in err["loc"]], "msg": str(err["msg"]), "type": err["type"]}
        for err in exc.errors()[:MAX_REPORTED_ERRORS]
    ]

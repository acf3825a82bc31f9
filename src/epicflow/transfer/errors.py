"""How import refuses: a 422 (or a 409) naming the file and, when known, the line.

The readers raise these directly; the pure planner raises ``Refused``, which ``problem`` turns
into the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from epicflow.markdown import Finding, MarkdownError
from epicflow.platform.errors import Conflict, Invalid
from epicflow.transfer.plan.planner import Refusals, Refused

MAX_REPORTED_ERRORS = 20
# Every finding of a refused import is listed, up to this many (the count says how many more).
MAX_FINDINGS = 1000


def invalid(
    file: str, line: int | None, message: str, *, code: str = "invalid_markdown", **extra: Any
) -> Invalid:
    """A 422 naming the file (and line) like a compiler would: ``epics/x/003.md:4: ...``."""
    where = file if line is None else f"{file}:{line}"
    return Invalid(f"{where}: {message}", code=code, file=file, line=line, **extra)


def markdown_error(exc: MarkdownError, code: str = "invalid_markdown") -> Invalid:
    return invalid(exc.file, exc.line, exc.message, code=code)


def findings(
    errors: Sequence[Finding],
    warnings: Sequence[Finding] = (),
    *,
    code: str | None = None,
    conflict: bool = False,
) -> Invalid | Conflict:
    """A refused import listing every error (``errors``) and warning (``warnings``) as
    ``{file, line, field, code, message}``; the detail names the first error and the count.
    ``code`` is the answer's own: by default the errors' code when they share one."""
    first = errors[0]
    if code is None:
        codes = {item.code for item in errors}
        code = codes.pop() if len(codes) == 1 else "invalid_upload"
    more = len(errors) - 1
    detail = str(first) + (f" (and {more} more: see errors)" if more else "")
    extra: dict[str, Any] = {
        "file": first.file,
        "line": first.line,
        "errors": [item.as_dict() for item in errors[:MAX_FINDINGS]],
        "warnings": [item.as_dict() for item in warnings[:MAX_FINDINGS]],
    }
    if len(errors) > MAX_FINDINGS:
        extra["errors_not_listed"] = len(errors) - MAX_FINDINGS
    if conflict:
        return Conflict(detail, code=code, **extra)
    return Invalid(detail, code=code, **extra)


def problem(refused: Refused | Refusals, warnings: Sequence[Finding] = ()) -> Invalid | Conflict:
    """What the planner refused, as the API answers it: every refusal in ``errors``."""
    if isinstance(refused, Refusals):
        return findings([item.finding() for item in refused.refused], warnings)
    answer = findings([refused.finding()], warnings, conflict=refused.conflict)
    answer.extra |= refused.extra
    return answer


def first_error(exc: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """The location and message of the first problem pydantic found."""
    error = exc.errors()[0]
    return tuple(error["loc"]), str(error["msg"])


def error_items(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in err["loc"]], "msg": str(err["msg"]), "type": err["type"]}
        for err in exc.errors()[:MAX_REPORTED_ERRORS]
    ]

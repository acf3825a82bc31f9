"""Shared by both readers: checked models to column values, and errors that name the file."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from epicflow.platform.errors import Invalid
from epicflow.transfer.schemas import EpicContent, MarkdownTaskContent, TaskContent

MAX_REPORTED_ERRORS = 20


def invalid(
    file: str, line: int | None, message: str, *, code: str = "invalid_markdown", **extra: Any
) -> Invalid:
    """A 422 naming the file (and line) like a compiler would: ``epics/x/003.md:4: ...``."""
    where = file if line is None else f"{file}:{line}"
    return Invalid(f"{where}: {message}", code=code, file=file, line=line, **extra)


def first_error(exc: ValidationError) -> tuple[tuple[str | int, ...], str]:
    """The location and message of the first problem pydantic found."""
    error = exc.errors()[0]
    return tuple(error["loc"]), str(error["msg"])


def error_items(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(part) for part in err["loc"]], "msg": str(err["msg"]), "type": err["type"]}
        for err in exc.errors()[:MAX_REPORTED_ERRORS]
    ]


def task_content(model: TaskContent | MarkdownTaskContent) -> dict[str, Any]:
    return {
        "title": model.title,
        "status": model.status.value,
        "priority": model.priority,
        "description": model.description,
        "tdd_requirements": model.tdd_requirements,
        "technical_details": model.technical_details,
        "acceptance_criteria": [item.model_dump() for item in model.acceptance_criteria],
        "definition_of_done": [item.model_dump() for item in model.definition_of_done],
        "estimate_size": model.estimate.size,
        "estimate_hours": model.estimate.hours,
        "parallel": model.parallel,
    }


def epic_content(model: EpicContent) -> dict[str, Any]:
    return {
        "title": model.title,
        "description": model.description,
        "status": model.status.value,
        "prd": model.prd,
    }


def default_epic_content(slug: str) -> dict[str, Any]:
    """An epic folder without ``epic.md`` names an epic that has nothing else to say."""
    return {"title": slug, "description": "", "status": "backlog", "prd": None}

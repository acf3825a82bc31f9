"""What a task write is made of, whatever the engine: a new task's columns, the fields a
plain edit may change, the versions an `If-Match` header names."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Integer, String, Text

from epicflow.tasks.models import TASK_CONTENT

# What a new task takes from its request, named as its columns.
OWN_COLUMNS = ("epic_id", "assignee_id", *TASK_CONTENT, "links")


@dataclass(frozen=True, slots=True)
class NewTask:
    """A task that needs no start rule checked: its status is neither in_progress nor done."""

    project_id: uuid.UUID
    project_key: str
    epic_id: int | None
    title: str
    status: str
    priority: int
    assignee_id: uuid.UUID | None
    description: str
    tdd_requirements: str
    technical_details: str
    acceptance_criteria: list[dict[str, Any]]
    definition_of_done: list[dict[str, Any]]
    estimate_size: str | None
    estimate_hours: float | None
    parallel: bool
    links: list[dict[str, Any]] = field(default_factory=list)
    depends_on: list[int] = field(default_factory=list)
    conflicts_with: list[int] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def columns(self) -> dict[str, object]:
        """The task's own columns, by name (`OWN_COLUMNS`)."""
        return {name: getattr(self, name) for name in OWN_COLUMNS}


# Fields that touch neither the graph nor another table: an edit of only these is plain.
PLAIN_FIELDS: dict[str, Any] = {
    "title": String(),
    "priority": Integer(),
    "description": Text(),
    "tdd_requirements": Text(),
    "technical_details": Text(),
    "acceptance_criteria": JSON(),
    "definition_of_done": JSON(),
    "links": JSON(),
}


MAX_VERSION = 2**31 - 1


def if_match_versions(if_match: str | None) -> list[int] | None:
    """The versions an `If-Match` header names (`"3"`, `W/"3"`, a comma-separated list); None
    when it matches any version (`*`, or no header)."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")]
    versions = [
        int(tag) for tag in tags if tag.isascii() and tag.isdigit() and tag == str(int(tag))
    ]
    # The version column is a 32-bit integer: a larger tag names no version (and could not be
    # sent as one). An empty list matches nothing, so the edit answers 412.
    return [version for version in versions if version <= MAX_VERSION]

"""Changing a task's plain fields in one statement (PostgreSQL).

Title, priority, the texts and the checklists touch neither the graph nor another table: one
UPDATE, fenced by the versions `If-Match` names, bumps the version and (a data-changing CTE)
records `task.updated`. Run alone it holds the task's row lock only while it runs.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ARRAY,
    JSON,
    Insert,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    any_,
    bindparam,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.events import service as events
from epicflow.platform.db import fetch_rows
from epicflow.platform.models import UTCDateTime
from epicflow.tasks.models import Task

TASK = cast(Table, Task.__table__)
PLAIN_FIELDS: dict[str, Any] = {
    "title": String(),
    "priority": Integer(),
    "description": Text(),
    "tdd_requirements": Text(),
    "technical_details": Text(),
    "acceptance_criteria": JSON(),
    "definition_of_done": JSON(),
}

MAX_VERSION = 2**31 - 1


def if_match_versions(if_match: str | None) -> list[int] | None:
    """The versions an `If-Match` header names, as `service.check_if_match` reads it; None
    when it matches any version."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = [tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")]
    versions = [
        int(tag) for tag in tags if tag.isascii() and tag.isdigit() and tag == str(int(tag))
    ]
    # The version column is a 32-bit integer: a larger tag names no version (and could not be
    # sent as one). An empty list matches nothing, so the edit answers 412.
    return [version for version in versions if version <= MAX_VERSION]


@lru_cache(maxsize=256)
def _edit_recorded(fields: tuple[str, ...], fenced: bool) -> Insert:
    now = bindparam("in_now", type_=UTCDateTime())
    project = bindparam("in_project", type_=Uuid())
    conditions = [TASK.c.project_id == project, TASK.c.key == bindparam("in_key", type_=String())]
    if fenced:
        conditions.append(TASK.c.version == any_(bindparam("in_versions", type_=ARRAY(Integer))))
    values: dict[str, Any] = {
        name: bindparam(f"in_{name}", type_=PLAIN_FIELDS[name]) for name in fields
    }
    changed = (
        update(TASK)
        .where(*conditions)
        .values(**values, version=TASK.c.version + 1, updated_at=now)
        .returning(TASK.c.id, TASK.c.key)
        .cte("changed")
    )
    recorded = events.record_each(project, changed.c.key, "task.updated", now=now)
    return recorded.add_cte(changed).returning(select(changed.c.id).scalar_subquery())


async def edit_recorded(
    session: AsyncSession,
    project_id: uuid.UUID,
    key: str,
    changes: dict[str, Any],
    versions: list[int] | None,
    *,
    actor: str,
    now: datetime,
) -> int | None:
    """Apply `changes` (plain fields only) to the task `key` if its version is one of
    `versions` (any when None), with its `task.updated` event; the task's id, or None when no
    task matched."""
    fields = tuple(sorted(changes))
    params: dict[str, Any] = {f"in_{name}": changes[name] for name in fields}
    params.update(
        in_project=project_id,
        in_key=key,
        in_versions=versions,
        in_now=now,
        in_actor=actor,
        in_data={"fields": list(fields)},
    )
    rows = await fetch_rows(session, _edit_recorded(fields, versions is not None), params)
    return int(rows[0][0]) if rows else None

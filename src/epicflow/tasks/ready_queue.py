"""The ready queue read from the stored claim order: while it is fresh, a page of ready tasks is
one indexed statement instead of the whole open graph computed in Python."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Boolean,
    CompoundSelect,
    Float,
    Integer,
    String,
    Uuid,
    and_,
    bindparam,
    not_,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.platform.db import fetch_rows
from epicflow.projects.tables import Project
from epicflow.tasks.models import IN_CLAIM_ORDER_INDEX, Task
from epicflow.tasks.readiness import NOW, claim_order, ready_condition

# Where a task sits in the claim order: ascending is the order claims take.
Rank = tuple[int, float, int]  # priority, minus downstream hours, number


@cache
def _page(after: bool) -> CompoundSelect[Any]:
    """The project's staleness flag, then (when fresh) the ready tasks in claim order, after the
    rank `:p_after`/`:d_after`/`:n_after` if asked: one statement, so one snapshot."""
    project = bindparam("project_id", type_=Uuid)
    stale = select(Project.graph_stale).where(Project.id == project).scalar_subquery()
    ready = select(
        null().cast(Boolean).label("stale"),
        Task.key,
        Task.priority,
        Task.downstream_hours,
        Task.number,
    ).where(Task.project_id == project, *IN_CLAIM_ORDER_INDEX, ready_condition(NOW), not_(stale))
    if after:
        priority = bindparam("p_after", type_=Integer)
        hours = bindparam("d_after", type_=Float)  # downstream hours, not negated
        number = bindparam("n_after", type_=Integer)
        ready = ready.where(
            or_(
                Task.priority > priority,
                and_(
                    Task.priority == priority,
                    or_(
                        Task.downstream_hours < hours,
                        and_(Task.downstream_hours == hours, Task.number > number),
                    ),
                ),
            )
        )
    ready = ready.order_by(*claim_order()).limit(bindparam("limit", type_=Integer))
    head = select(
        Project.graph_stale.label("stale"),
        null().cast(String),
        null().cast(Integer),
        null().cast(Float),
        null().cast(Integer),
    ).where(Project.id == project)
    return union_all(head, ready.subquery().select())


async def ready_page(
    session: AsyncSession,
    project_id: uuid.UUID,
    now: datetime,
    *,
    after: Rank | None,
    limit: int,
) -> list[tuple[Rank, str]] | None:
    """Up to `limit` ready tasks after `after`, in claim order, as (rank, key); None when the
    stored claim order is stale (the graph changed since the last claim refreshed it)."""
    params: dict[str, Any] = {"project_id": project_id, "now": now, "limit": limit}
    if after is not None:
        params.update(p_after=after[0], d_after=-after[1], n_after=after[2])
    rows = await fetch_rows(session, _page(after is not None), params)
    if any(row[0] for row in rows if row[1] is None):
        return None
    ranked = [((row[2], -row[3], row[4]), row[1]) for row in rows if row[1] is not None]
    ranked.sort()
    return ranked

"""Per-epic task statistics, asked for by the epics feature."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.tasks.models import Task
from epicflow.tasks.readiness import effective_hours


@dataclass
class EpicStats:
    counts: dict[str, int] = field(default_factory=dict)
    hours_total: float = 0.0
    hours_done: float = 0.0


async def epic_stats(session: AsyncSession, epic_ids: list[int]) -> dict[int, EpicStats]:
    """Task counts by status and hours per epic, in one grouped query."""
    result: dict[int, EpicStats] = {epic_id: EpicStats() for epic_id in epic_ids}
    if not epic_ids:
        return result
    query = (
        select(Task.epic_id, Task.status, func.count(), func.sum(effective_hours()))
        .where(Task.epic_id.in_(epic_ids))
        .group_by(Task.epic_id, Task.status)
    )
    for epic_id, status, count, hours in (await session.execute(query)).tuples():
        assert epic_id is not None
        entry = result[epic_id]
        entry.counts[status] = int(count)
        if status != "cancelled":
            entry.hours_total += float(hours or 0)
        if status == "done":
            entry.hours_done += float(hours or 0)
    return result


async def epic_has_tasks(session: AsyncSession, epic_id: int) -> bool:
    query = select(Task.id).where(Task.epic_id == epic_id).limit(1)
    return (await session.execute(query)).first() is not None

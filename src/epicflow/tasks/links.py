"""Links added to a task by a completion (SPEC 10.4): after the ones it has, at most
`MAX_LINKS` in all."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.platform.errors import Invalid
from epicflow.tasks.models import Task
from epicflow.tasks.schemas import MAX_LINKS


async def add_links(session: AsyncSession, task_id: int, links: list[dict[str, Any]]) -> None:
    """Append `links` to the task's; 422 naming `links` when that would pass `MAX_LINKS` (the
    request's transaction, and whatever else it wrote, is then rolled back)."""
    task = await session.get_one(Task, task_id, populate_existing=True, with_for_update=True)
    combined = [*task.links, *links]
    if len(combined) > MAX_LINKS:
        raise Invalid(
            f"A task holds at most {MAX_LINKS} links; it has {len(task.links)} and the "
            f"completion adds {len(links)}.",
            field="links",
        )
    task.links = combined
    await session.flush()

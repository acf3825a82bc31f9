"""Epics: the slices of a project that tasks belong to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics import repository as repo
from epicflow.epics.models import Epic
from epicflow.epics.schemas import EpicCounts, EpicIn, EpicOut, EpicStatus, EpicUpdate
from epicflow.events import service as events
from epicflow.platform.errors import Conflict, Invalid
from epicflow.projects.rules import Role
from epicflow.projects.service import ProjectAccess
from epicflow.tasks.stats import EpicStats, epic_has_tasks, epic_stats


def to_out(epic: Epic, stats: EpicStats) -> EpicOut:
    counts = EpicCounts(**stats.counts, total=sum(stats.counts.values()))
    counted = counts.total - counts.cancelled
    progress = round(counts.done / counted * 100) if counted else 0
    return EpicOut(
        slug=epic.slug,
        title=epic.title,
        description=epic.description,
        status=EpicStatus(epic.status),
        prd=epic.prd,
        created_at=epic.created_at,
        updated_at=epic.updated_at,
        counts=counts,
        progress=progress,
        hours_total=stats.hours_total,
        hours_done=stats.hours_done,
    )


async def describe(session: AsyncSession, epics: list[Epic]) -> list[EpicOut]:
    stats = await epic_stats(session, [epic.id for epic in epics])
    return [to_out(epic, stats[epic.id]) for epic in epics]


async def find_epic_id(session: AsyncSession, access: ProjectAccess, slug: str) -> int | None:
    return await repo.find_epic_id(session, access.project.id, slug)


async def get_epic(session: AsyncSession, access: ProjectAccess, slug: str) -> Epic:
    return await repo.get_epic(session, access.project.id, slug)


async def create_epic(
    session: AsyncSession, access: ProjectAccess, body: EpicIn, now: datetime
) -> Epic:
    access.require(Role.member)
    epic = Epic(
        project_id=access.project.id,
        slug=body.slug,
        title=body.title,
        description=body.description,
        status=body.status.value,
        prd=body.prd,
        created_at=now,
        updated_at=now,
    )
    if await repo.find_epic(session, access.project.id, body.slug) is not None:
        raise repo.slug_taken()
    await repo.add_or_flush(session, epic)
    await events.record(
        session,
        project_id=access.project.id,
        type="epic.created",
        actor=access.user.email,
        now=now,
        data={"epic": epic.slug},
    )
    return epic


async def update_epic(
    session: AsyncSession, access: ProjectAccess, slug: str, body: EpicUpdate, now: datetime
) -> Epic:
    access.require(Role.member)
    epic = await repo.get_epic(session, access.project.id, slug)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("title", "") is None or changes.get("slug", "") is None:
        raise Invalid("title and slug cannot be null.", code="invalid")
    for name, value in changes.items():
        setattr(epic, name, value.value if hasattr(value, "value") else value)
    epic.updated_at = now
    await repo.add_or_flush(session)
    await events.record(
        session,
        project_id=access.project.id,
        type="epic.updated",
        actor=access.user.email,
        now=now,
        data={"epic": epic.slug, "fields": sorted(changes)},
    )
    return epic


async def delete_epic(
    session: AsyncSession, access: ProjectAccess, slug: str, now: datetime
) -> None:
    access.require(Role.admin)
    epic = await repo.get_epic(session, access.project.id, slug)
    if await epic_has_tasks(session, epic.id):
        raise Conflict("The epic still has tasks.", code="epic_not_empty")
    await repo.delete(session, epic)
    await events.record(
        session,
        project_id=access.project.id,
        type="epic.deleted",
        actor=access.user.email,
        now=now,
        data={"epic": slug},
    )

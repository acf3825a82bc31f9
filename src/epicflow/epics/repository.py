from __future__ import annotations

import uuid

from sqlalchemy import String, Uuid, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics.models import Epic
from epicflow.platform.db import fetch_rows
from epicflow.platform.errors import Conflict, NotFound

_EPIC_ID = select(Epic.id).where(
    Epic.project_id == bindparam("project_id", type_=Uuid),
    Epic.slug == bindparam("slug", type_=String),
)


def slug_taken() -> Conflict:
    return Conflict("An epic with this slug exists in the project.", code="epic_slug_taken")


async def find_epic(session: AsyncSession, project_id: uuid.UUID, slug: str) -> Epic | None:
    query = select(Epic).where(Epic.project_id == project_id, Epic.slug == slug)
    return (await session.execute(query)).scalar_one_or_none()


async def find_epic_id(session: AsyncSession, project_id: uuid.UUID, slug: str) -> int | None:
    """The id of the project's epic `slug` (a prebuilt statement: task writes ask it)."""
    rows = await fetch_rows(session, _EPIC_ID, {"project_id": project_id, "slug": slug})
    return int(rows[0][0]) if rows else None


async def get_epic(session: AsyncSession, project_id: uuid.UUID, slug: str) -> Epic:
    epic = await find_epic(session, project_id, slug)
    if epic is None:
        raise NotFound(f"Epic {slug} not found.", code="epic_not_found")
    return epic


async def add_or_flush(session: AsyncSession, epic: Epic | None = None) -> None:
    if epic is not None:
        session.add(epic)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise slug_taken() from exc


async def list_epics(
    session: AsyncSession, project_id: uuid.UUID, *, after: str | None, limit: int
) -> list[Epic]:
    query = select(Epic).where(Epic.project_id == project_id)
    if after is not None:
        query = query.where(Epic.slug > after)
    return list((await session.execute(query.order_by(Epic.slug).limit(limit))).scalars())


async def delete(session: AsyncSession, epic: Epic) -> None:
    await session.delete(epic)
    await session.flush()

"""Bulk writes for import: executemany statements in chunks, never a round trip per task.

Chunks keep every statement under the bound-parameter limits of SQLite (32,766) and asyncpg
(32,767) and let the caller report progress. Every table import writes is named here only, so
``apply`` works with rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics.tables import Epic
from epicflow.events.tables import Event
from epicflow.platform.errors import Conflict
from epicflow.projects.tables import Project
from epicflow.stores.base import store_of
from epicflow.tasks.tables import Task, TaskConflict, TaskEdge, TaskLabel
from epicflow.transfer.models import EpicFile, EpicSource, TaskSource

CHUNK = 1000
T = TypeVar("T")
# The ORM leaves a None out of an INSERT, so rows with None in different columns would be sent
# one statement per shape; writing NULLs keeps every chunk one executemany.
NULLS = {"render_nulls": True}


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def concurrent_change() -> Conflict:
    return Conflict(
        "The project changed while the import ran; run it again.", code="concurrent_change"
    )


async def reserve_numbers(session: AsyncSession, project_id: uuid.UUID, count: int) -> int:
    """Hand out ``count`` task numbers with one counter update; returns the first."""
    query = (
        update(Project)
        .where(Project.id == project_id)
        .values(task_counter=Project.task_counter + count)
        .returning(Project.task_counter)
    )
    last = int((await session.execute(query)).scalar_one())
    return last - count + 1


async def insert_epics(
    session: AsyncSession, project_id: uuid.UUID, rows: list[dict[str, Any]]
) -> dict[str, int]:
    """Insert epics; returns the id of every epic of the project by slug."""
    try:
        if rows:
            await session.execute(insert(Epic).execution_options(**NULLS), rows)
    except IntegrityError:
        raise concurrent_change() from None
    query = select(Epic.slug, Epic.id).where(Epic.project_id == project_id)
    return dict((await session.execute(query)).tuples().all())


async def _update_rows(
    session: AsyncSession, model: type[Epic] | type[Task], rows: Sequence[dict[str, Any]]
) -> None:
    """ORM bulk UPDATE by primary key (``id`` in every row), as executemany."""
    for chunk in chunks(rows):
        await session.execute(update(model), list(chunk))


async def update_epics(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await _update_rows(session, Epic, rows)


async def update_tasks(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    await _update_rows(session, Task, rows)


async def insert_tasks(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    try:
        await session.execute(insert(Task).execution_options(**NULLS), list(rows))
    except IntegrityError:
        raise concurrent_change() from None


async def task_ids(session: AsyncSession, project_id: uuid.UUID, first: int) -> dict[str, int]:
    """Ids of the tasks numbered ``first`` and up, by key."""
    query = select(Task.key, Task.id).where(Task.project_id == project_id, Task.number >= first)
    return dict((await session.execute(query)).tuples().all())


async def clear_links(session: AsyncSession, ids: Sequence[int]) -> None:
    """Drop the edges, conflicts and labels of tasks whose lists are written anew."""
    for chunk in chunks(ids):
        await session.execute(delete(TaskEdge).where(TaskEdge.task_id.in_(chunk)))
        await session.execute(
            delete(TaskConflict).where(
                or_(TaskConflict.low_id.in_(chunk), TaskConflict.high_id.in_(chunk))
            )
        )
        await session.execute(delete(TaskLabel).where(TaskLabel.task_id.in_(chunk)))


async def insert_many(
    session: AsyncSession, model: type[Any], rows: Sequence[dict[str, Any]]
) -> None:
    for chunk in chunks(rows):
        await session.execute(insert(model).execution_options(**NULLS), list(chunk))


async def insert_links(
    session: AsyncSession,
    edges: Sequence[dict[str, Any]],
    conflicts: Sequence[dict[str, Any]],
    labels: Sequence[dict[str, Any]],
    task_ids: Sequence[int],
) -> None:
    """The edges, conflicts and labels of ``task_ids`` (cleared first by ``clear_links``)."""
    await insert_many(session, TaskEdge, edges)
    await insert_many(session, TaskConflict, conflicts)
    await insert_many(session, TaskLabel, labels)
    # As after every write to task_label: the store's copy of the labels, if it keeps one.
    await store_of(session).tasks.refresh_label_copies(session, list(task_ids))


async def replace_task_sources(
    session: AsyncSession,
    project_id: uuid.UUID,
    ids: Sequence[int],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Give ``rows`` their paths: whichever other task held one of them lets go of it."""
    paths = [row["path"] for row in rows if row["path"] is not None]
    for chunk in chunks(paths):
        await session.execute(
            update(TaskSource)
            .where(TaskSource.project_id == project_id, TaskSource.path.in_(chunk))
            .values(path=None)
        )
    for id_chunk in chunks(ids):
        await session.execute(delete(TaskSource).where(TaskSource.task_id.in_(id_chunk)))
    await insert_many(session, TaskSource, rows)


async def replace_epic_sources(
    session: AsyncSession, ids: Sequence[int], rows: Sequence[dict[str, Any]]
) -> None:
    for chunk in chunks(ids):
        await session.execute(delete(EpicSource).where(EpicSource.epic_id.in_(chunk)))
    await insert_many(session, EpicSource, rows)


async def replace_files(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Files beside the tasks: each row replaces the file of its epic at its path."""
    paths: dict[int, list[str]] = {}
    for row in rows:
        paths.setdefault(row["epic_id"], []).append(row["path"])
    for epic_id, names in paths.items():
        for chunk in chunks(names):
            await session.execute(
                delete(EpicFile).where(EpicFile.epic_id == epic_id, EpicFile.path.in_(chunk))
            )
    await insert_many(session, EpicFile, rows)


async def insert_events(session: AsyncSession, rows: Iterable[dict[str, Any]]) -> None:
    await insert_many(session, Event, list(rows))

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    and_,
    bindparam,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.auth.tables import User
from epicflow.platform.db import fetch_rows
from epicflow.platform.errors import Conflict, NotFound
from epicflow.projects.models import Membership, Project
from epicflow.stores.base import store_of

T = TypeVar("T", User, Project)


async def find_project(session: AsyncSession, key: str) -> Project | None:
    return (await session.execute(select(Project).where(Project.key == key))).scalar_one_or_none()


async def find_membership(
    session: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID
) -> Membership | None:
    return await session.get(Membership, (project_id, user_id))


async def get_membership(
    session: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID
) -> Membership:
    membership = await find_membership(session, project_id, user_id)
    if membership is None:
        raise NotFound("No such member in this project.")
    return membership


async def add_project(session: AsyncSession, project: Project, owner: Membership) -> None:
    session.add(project)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("A project with this key exists.", code="project_key_taken") from exc
    session.add(owner)
    await session.flush()


async def add_membership(session: AsyncSession, membership: Membership) -> None:
    session.add(membership)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict("The user is already a member.", code="already_member") from exc


async def list_projects(
    session: AsyncSession, user_id: uuid.UUID, *, everything: bool, after: str | None, limit: int
) -> list[tuple[Project, str | None]]:
    role = Membership.role
    join_on = (Membership.project_id == Project.id) & (Membership.user_id == user_id)
    query: Select[Any] = select(Project, role)
    query = query.outerjoin(Membership, join_on) if everything else query.join(Membership, join_on)
    if after is not None:
        query = query.where(Project.key > after)
    rows = await session.execute(query.order_by(Project.key).limit(limit))
    return [(project, member_role) for project, member_role in rows.tuples()]


async def list_members(
    session: AsyncSession, project_id: uuid.UUID, *, after: str | None, limit: int
) -> list[tuple[Membership, User]]:
    query = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.project_id == project_id)
    )
    if after is not None:
        query = query.where(User.email > after)
    rows = await session.execute(query.order_by(User.email).limit(limit))
    return list(rows.tuples())


async def count_owners(session: AsyncSession, project_id: uuid.UUID) -> int:
    """Count the owners, locking their rows until the transaction ends.

    Two owners stepping down at once must not both see two owners: the lock makes the second
    count wait for the first change and then see only the owner that remains (PostgreSQL re-checks
    locked rows against the WHERE clause; SQLite already serialises writers).
    """
    query = (
        select(Membership.user_id)
        .where(Membership.project_id == project_id, Membership.role == "owner")
        .order_by(Membership.user_id)
        .with_for_update()
    )
    return len((await session.execute(query)).all())


async def delete(session: AsyncSession, row: Project | Membership) -> None:
    await session.delete(row)
    await session.flush()


async def next_task_number(session: AsyncSession, project_id: uuid.UUID) -> int:
    """Hand out the next task number and mark the graph changed (a new task moves downstream
    hours). The row lock this takes serialises graph writes too."""
    query = (
        update(Project)
        .where(Project.id == project_id)
        .values(task_counter=Project.task_counter + 1, graph_stale=True)
        .returning(Project.task_counter)
    )
    return int((await session.execute(query)).scalar_one())


async def lock_project(session: AsyncSession, project_id: uuid.UUID) -> None:
    """Serialise writes that must see a stable task graph (PostgreSQL row lock, then the counts
    lock; on SQLite the write transaction already holds the database lock from BEGIN
    IMMEDIATE)."""
    # FOR NO KEY UPDATE: writers queue on it, but inserts whose foreign key points at the
    # project (events, tasks) are not blocked, which would deadlock against the lease sweeper.
    query = select(Project.id).where(Project.id == project_id).with_for_update(key_share=True)
    await session.execute(query)
    await lock_counts(session, project_id)


async def lock_counts(session: AsyncSession, project_id: uuid.UUID) -> None:
    """Keep completions from lowering unresolved counts until the transaction ends (the
    store's counts lock; see docs/claims.md)."""
    await store_of(session).projects.lock_counts(session, project_id)


async def set_graph_stale(session: AsyncSession, project_id: uuid.UUID, stale: bool) -> None:
    await session.execute(update(Project).where(Project.id == project_id).values(graph_stale=stale))


# Built once (every project-scoped request runs it) and read as plain columns: a statement's
# cache key is derived anew for each new statement object, and loading two ORM entities costs
# more than the query.
# Not the password hash: no project-scoped request needs it, so none carries it.
_USER_COLUMNS = tuple(c for c in User.__table__.c if c.name != "password_hash")
_PROJECT_COLUMNS = tuple(Project.__table__.c)
_USER_PROJECT = (
    select(*_USER_COLUMNS, *_PROJECT_COLUMNS, Membership.role)
    .select_from(User)
    .outerjoin(Project, Project.key == bindparam("key"))
    .outerjoin(Membership, (Membership.project_id == Project.id) & (Membership.user_id == User.id))
    .where(User.id == bindparam("user_id"))
)


Found = tuple[User, Project | None, str | None]
# Columns of `_USER_PROJECT` that `user_project_of` reads.
USER_PROJECT_WIDTH = len(_USER_COLUMNS) + len(_PROJECT_COLUMNS) + 1


def _allowed(roles: Sequence[str]) -> ColumnElement[bool]:
    """Of a `_USER_PROJECT` row: the user is active, the project exists, and the user is a
    superuser or a member with one of `roles` — what `service.access_from` and
    `ProjectAccess.require` decide from the same row."""
    return and_(
        User.is_active,
        Project.id.is_not(None),
        or_(User.is_superuser, *(Membership.role == literal_column(f"'{r}'") for r in roles)),
    )


def user_project_allowed(roles: Sequence[str]) -> Select[Any]:
    """`_USER_PROJECT` (parameters `user_id`, `key`) with three columns more, for a write that
    runs in the same statement: `in_project` (the project's id), `in_actor` (the user's e-mail)
    and `allowed` (`_allowed`)."""
    return _USER_PROJECT.add_columns(
        Project.id.label("in_project"),
        User.email.label("in_actor"),
        _allowed(roles).label("allowed"),
    )


def allowed_project_id(roles: Sequence[str]) -> ScalarSelect[Any]:
    """The id of the project `:key` when the user `:user_id` may act in it with one of `roles`
    (`_allowed`), else NULL: for a read that asks for its caller's access in its own statement
    and finds nothing when it may not read."""
    return _USER_PROJECT.with_only_columns(Project.id).where(_allowed(roles)).scalar_subquery()


def user_project_of(row: Sequence[Any]) -> Found:
    """The user, project and role of a row that starts with `_USER_PROJECT`'s columns."""
    users = len(_USER_COLUMNS)
    user = _detached(User, _USER_COLUMNS, row[:users])
    values = row[users : USER_PROJECT_WIDTH - 1]
    project = None if values[0] is None else _detached(Project, _PROJECT_COLUMNS, values)
    return user, project, row[USER_PROJECT_WIDTH - 1]


def _detached(model: type[T], columns: tuple[Any, ...], values: Sequence[Any]) -> T:
    """A transient instance holding a row's values (ids as `uuid.UUID` whatever the driver
    returned); reads only: the session does not track it. The values go straight into the
    instance's dict: the constructor's attribute events cost three times as much, and every
    project-scoped request builds two of these."""
    instance: T = model._sa_class_manager.new_instance()  # type: ignore[attr-defined]
    fields = instance.__dict__
    fields.update(zip((column.key for column in columns), values, strict=True))
    fields["id"] = uuid.UUID(str(fields["id"]))
    return instance


async def find_user_project(session: AsyncSession, user_id: uuid.UUID, key: str) -> Found | None:
    """The user, the project with `key` (if any) and the user's role in it (if any), as
    transient instances: change a project through `get_project`."""
    rows = await fetch_rows(session, _USER_PROJECT, {"user_id": user_id, "key": key})
    return user_project_of(rows[0]) if rows else None


async def get_project(session: AsyncSession, project_id: uuid.UUID) -> Project:
    """The project as the session tracks it, for changing or deleting it."""
    project = await session.get(Project, project_id)
    if project is None:  # deleted since the caller's access was read
        raise NotFound("The project no longer exists.", code="project_not_found")
    return project

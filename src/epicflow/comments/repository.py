"""Comment storage. A comment is read with its task's key and its author in one statement."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.auth.tables import User
from epicflow.comments.models import Comment
from epicflow.platform.errors import NotFound
from epicflow.projects.tables import Project
from epicflow.tasks.tables import Task


@dataclass(frozen=True, slots=True)
class Located:
    """A comment, the key of its project and the key of its task."""

    comment: Comment
    project_key: str
    task_key: str


def comment_not_found(comment_id: int) -> NotFound:
    return NotFound(f"Comment {comment_id} not found.", code="comment_not_found")


def _shown() -> Select[Any]:
    return (
        select(Comment, Task.key, User.email, User.full_name)
        .join(Task, Task.id == Comment.task_id)
        .join(User, User.id == Comment.author_id)
    )


def to_out(row: Any) -> dict[str, Any]:
    """The Comment shape of a row of `_shown()`."""
    comment, task_key, email, full_name = row
    return {
        "id": comment.id,
        "task": task_key,
        "author": {"id": comment.author_id, "email": email, "full_name": full_name},
        "worker": comment.worker,
        "kind": comment.kind,
        "body": comment.body,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
    }


async def add(session: AsyncSession, comment: Comment) -> Comment:
    session.add(comment)
    await session.flush()
    return comment


async def list_comments(
    session: AsyncSession,
    project_id: uuid.UUID,
    task_id: int,
    *,
    after_id: int | None,
    limit: int,
) -> list[Any]:
    """Rows of `_shown()` for the task, oldest first, after the comment `after_id`."""
    query = _shown().where(Comment.project_id == project_id, Comment.task_id == task_id)
    if after_id is not None:
        query = query.where(Comment.id > after_id)
    return list((await session.execute(query.order_by(Comment.id).limit(limit))).all())


async def get_shown(session: AsyncSession, comment_id: int) -> Any:
    row = (await session.execute(_shown().where(Comment.id == comment_id))).one_or_none()
    if row is None:
        raise comment_not_found(comment_id)
    return row


async def locate(session: AsyncSession, comment_id: int) -> Located:
    """The comment `comment_id`, with its project's and task's keys; NotFound when none."""
    query = (
        select(Comment, Project.key, Task.key)
        .join(Project, Project.id == Comment.project_id)
        .join(Task, Task.id == Comment.task_id)
        .where(Comment.id == comment_id)
    )
    row = (await session.execute(query)).one_or_none()
    if row is None:
        raise comment_not_found(comment_id)
    return Located(row[0], row[1], row[2])


async def remove(session: AsyncSession, comment_id: int) -> None:
    await session.execute(delete(Comment).where(Comment.id == comment_id))

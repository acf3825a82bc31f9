"""Comments: members post, viewers read, the author edits, the author or an admin deletes.

A completion's summary and a release's reason are comments too, written by `add_comment` in the
transaction of the claim call (`claims.service`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims.errors import claim_lost
from epicflow.comments import repository as repo
from epicflow.comments.models import Comment
from epicflow.comments.schemas import CommentIn, CommentKind
from epicflow.events import service as events
from epicflow.platform.errors import Forbidden, NotFound
from epicflow.projects import service as projects
from epicflow.projects.rules import Role
from epicflow.projects.service import ProjectAccess
from epicflow.tasks import service as tasks
from epicflow.tasks.schemas import TaskStatus
from epicflow.tasks.tables import Task


async def add_comment(
    session: AsyncSession,
    access: ProjectAccess,
    task_id: int,
    task_key: str,
    *,
    body: str,
    kind: CommentKind,
    worker: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Write a comment by the caller on the task, with its event `comment.added`."""
    comment = await repo.add(
        session,
        Comment(
            project_id=access.project.id,
            task_id=task_id,
            author_id=access.user.id,
            worker=worker,
            kind=kind.value,
            body=body,
            created_at=now,
            updated_at=now,
        ),
    )
    await events.record(
        session,
        project_id=access.project.id,
        task_key=task_key,
        type="comment.added",
        actor=access.user.email,
        now=now,
        data={"comment": comment.id, "kind": kind.value},
    )
    return _out(comment, task_key, access)


def _out(comment: Comment, task_key: str, access: ProjectAccess) -> dict[str, Any]:
    """The Comment shape of a comment the caller just wrote."""
    return repo.to_out((comment, task_key, access.user.email, access.user.full_name))


def _worker_of(task: Task, token: str, now: datetime) -> str:
    """The worker of the live claim `token` holds on `task`; 409 `claim_lost` otherwise."""
    live = task.lease_expires_at is not None and task.lease_expires_at > now
    held = task.status == TaskStatus.in_progress and task.claim_token == token
    if not (live and held and task.claimed_by):
        raise claim_lost()
    return task.claimed_by


async def post_comment(
    session: AsyncSession, access: ProjectAccess, task_key: str, body: CommentIn, now: datetime
) -> dict[str, Any]:
    access.require(Role.member)
    task = await tasks.get_task(session, access, task_key)
    worker = None if body.claim_token is None else _worker_of(task, body.claim_token, now)
    return await add_comment(
        session, access, task.id, task_key, body=body.body, kind=body.kind, worker=worker, now=now
    )


async def list_comments(
    session: AsyncSession, access: ProjectAccess, task_key: str, after_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` comments of the task after `after_id`, oldest first."""
    task = await tasks.get_task(session, access, task_key)
    rows = await repo.list_comments(
        session, access.project.id, task.id, after_id=after_id, limit=limit
    )
    return [repo.to_out(row) for row in rows]


async def _located(
    session: AsyncSession, comment_id: int, user_id: uuid.UUID
) -> tuple[repo.Located, ProjectAccess]:
    """The comment and the caller's access to its project; 404 for whom may not see it."""
    located = await repo.locate(session, comment_id)
    found = await projects.find_caller(session, located.project_key, user_id)
    try:
        access = projects.access_from(found, located.project_key)
    except NotFound as exc:
        raise repo.comment_not_found(comment_id) from exc
    return located, access


async def edit_comment(
    session: AsyncSession, comment_id: int, user_id: uuid.UUID, body: str, now: datetime
) -> dict[str, Any]:
    """Only the author changes a comment's body, while a member of its project."""
    located, access = await _located(session, comment_id, user_id)
    access.require(Role.member)
    if located.comment.author_id != access.user.id:
        raise Forbidden("Only the author edits a comment.", code="not_author")
    located.comment.body = body
    located.comment.updated_at = now
    await session.flush()
    return repo.to_out(await repo.get_shown(session, comment_id))


async def delete_comment(session: AsyncSession, comment_id: int, user_id: uuid.UUID) -> None:
    """The author (while a member of its project), or an admin of the project, deletes a
    comment."""
    located, access = await _located(session, comment_id, user_id)
    access.require(Role.admin if located.comment.author_id != access.user.id else Role.member)
    await repo.remove(session, comment_id)

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from epicflow.auth.deps import CallerId
from epicflow.comments import service
from epicflow.comments.schemas import CommentIn, CommentOut, CommentUpdate
from epicflow.events.paging import after_id
from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import CursorQuery, LimitQuery, Page, encode_cursor
from epicflow.tasks.deps import TaskKeyPath, TaskProject

router = APIRouter(tags=["comments"])
CommentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The comment's id.")]


@router.get("/tasks/{task_key}/comments", responses=responses(401, 404, 422, 429))
async def list_comments(
    task_key: TaskKeyPath,
    access: TaskProject,
    session: SessionDep,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> Page[CommentOut]:
    """The task's comments, oldest first; follow `next_cursor` for newer ones."""
    rows = await service.list_comments(session, access, task_key, after_id(cursor), limit + 1)
    more = len(rows) > limit
    items = [CommentOut.model_validate(row) for row in rows[:limit]]
    return Page[CommentOut](
        items=items, next_cursor=encode_cursor([rows[limit - 1]["id"]]) if more else None
    )


@router.post(
    "/tasks/{task_key}/comments",
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 404, 409, 422, 429),
)
async def post_comment(
    task_key: TaskKeyPath,
    body: CommentIn,
    access: TaskProject,
    session: SessionDep,
    context: ContextDep,
) -> CommentOut:
    """Comment on a task (members and above). With the `claim_token` of the task's live claim,
    the comment names the claim's worker; a stale token answers 409 `claim_lost`."""
    created = await service.post_comment(session, access, task_key, body, context.now())
    return CommentOut.model_validate(created)


@router.patch("/comments/{comment_id}", responses=responses(401, 403, 404, 422, 429))
async def edit_comment(
    comment_id: CommentId,
    body: CommentUpdate,
    user_id: CallerId,
    session: SessionDep,
    context: ContextDep,
) -> CommentOut:
    """Change a comment's body: its author only."""
    edited: dict[str, Any] = await service.edit_comment(
        session, comment_id, user_id, body.body, context.now()
    )
    return CommentOut.model_validate(edited)


@router.delete(
    "/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 422, 429),
)
async def delete_comment(comment_id: CommentId, user_id: CallerId, session: SessionDep) -> Response:
    """Delete a comment: its author, or an admin of the project."""
    await service.delete_comment(session, comment_id, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

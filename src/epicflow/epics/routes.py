from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from epicflow.epics import repository as repo
from epicflow.epics import service
from epicflow.epics.schemas import EpicIn, EpicOut, EpicUpdate
from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.idempotency import IdempotencyKey, fingerprint, run_idempotent
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    cursor_str,
    decode_cursor,
    encode_cursor,
)
from epicflow.platform.types import Slug
from epicflow.projects.deps import ProjectMember

router = APIRouter(prefix="/projects/{key}/epics", tags=["epics"])


@router.get("", responses=responses(401, 404, 422, 429))
async def list_epics(
    access: ProjectMember, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[EpicOut]:
    """Epics of the project by slug, with task counts, progress and hours."""
    after = None if cursor is None else cursor_str(decode_cursor(cursor, arity=1)[0])
    rows = await repo.list_epics(session, access.project.id, after=after, limit=limit + 1)
    items = await service.describe(session, rows[:limit])
    next_cursor = encode_cursor([rows[limit - 1].slug]) if len(rows) > limit else None
    return Page[EpicOut](items=items, next_cursor=next_cursor)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EpicOut,
    responses=responses(401, 403, 404, 409, 422, 429),
)
async def create_epic(
    body: EpicIn,
    request: Request,
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Create an epic (member or above). A taken slug answers 409 `epic_slug_taken`."""

    async def create() -> object:
        epic = await service.create_epic(session, access, body, context.now())
        (out,) = await service.describe(session, [epic])
        return out.model_dump(mode="json")

    return await run_idempotent(
        session,
        user_id=access.user.id,
        key=idempotency_key,
        request_hash=fingerprint(request.url.path, await request.body()),
        now=context.now(),
        create=create,
    )


@router.get("/{slug}", responses=responses(401, 404, 422, 429))
async def read_epic(slug: Slug, access: ProjectMember, session: SessionDep) -> EpicOut:
    """One epic with its derived counts, progress and hours."""
    (out,) = await service.describe(session, [await service.get_epic(session, access, slug)])
    return out


@router.patch("/{slug}", responses=responses(401, 403, 404, 409, 422, 429))
async def update_epic(
    slug: Slug, body: EpicUpdate, access: ProjectMember, session: SessionDep, context: ContextDep
) -> EpicOut:
    """Change an epic's fields (member or above)."""
    epic = await service.update_epic(session, access, slug, body, context.now())
    (out,) = await service.describe(session, [epic])
    return out


@router.delete(
    "/{slug}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 409, 422, 429),
)
async def delete_epic(
    slug: Slug, access: ProjectMember, session: SessionDep, context: ContextDep
) -> Response:
    """Delete an empty epic (admin or owner); one that still has tasks answers 409."""
    await service.delete_epic(session, access, slug, context.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)

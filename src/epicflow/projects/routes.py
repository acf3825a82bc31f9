from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from epicflow.auth.deps import CurrentUser
from epicflow.auth.tables import User
from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    cursor_str,
    decode_cursor,
    encode_cursor,
)
from epicflow.projects import repository as repo
from epicflow.projects import service
from epicflow.projects.deps import ProjectMember
from epicflow.projects.models import Membership, Project
from epicflow.projects.rules import Role
from epicflow.projects.schemas import (
    MemberIn,
    MemberOut,
    MemberUpdate,
    ProjectIn,
    ProjectOut,
    ProjectUpdate,
)

router = APIRouter(prefix="/projects", tags=["projects"])
MEMBER_PATH = "/{key}/members/{user_id}"


def _project_out(project: Project, role: str | None) -> ProjectOut:
    return ProjectOut(
        key=project.key,
        name=project.name,
        description=project.description,
        created_at=project.created_at,
        role=Role(role) if role else None,
    )


def _member_out(membership: Membership, user: User) -> MemberOut:
    return MemberOut(
        user_id=user.id, email=user.email, full_name=user.full_name, role=Role(membership.role)
    )


def _after(cursor: str | None) -> str | None:
    return None if cursor is None else cursor_str(decode_cursor(cursor, arity=1)[0])


@router.get("", responses=responses(401, 422, 429))
async def list_projects(
    user: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[ProjectOut]:
    """Projects the caller is a member of (every project for a superuser), by key."""
    rows = await repo.list_projects(
        session, user.id, everything=user.is_superuser, after=_after(cursor), limit=limit + 1
    )
    items = [_project_out(project, role) for project, role in rows[:limit]]
    next_cursor = encode_cursor([rows[limit - 1][0].key]) if len(rows) > limit else None
    return Page[ProjectOut](items=items, next_cursor=next_cursor)


@router.post("", status_code=status.HTTP_201_CREATED, responses=responses(401, 409, 422, 429))
async def create_project(
    body: ProjectIn, user: CurrentUser, session: SessionDep, context: ContextDep
) -> ProjectOut:
    """Create a project; the caller becomes its owner. A taken key answers 409."""
    access = await service.create_project(
        session, user, key=body.key, name=body.name, description=body.description, now=context.now()
    )
    return _project_out(access.project, access.member_role)


@router.get("/{key}", responses=responses(401, 404, 422, 429))
async def read_project(access: ProjectMember) -> ProjectOut:
    """One project, with the caller's role."""
    return _project_out(access.project, access.member_role)


@router.patch("/{key}", responses=responses(401, 403, 404, 422, 429))
async def update_project(
    body: ProjectUpdate, access: ProjectMember, session: SessionDep
) -> ProjectOut:
    """Rename or re-describe a project (admin or owner). The key never changes."""
    project = await service.update_project(
        session, access, name=body.name, description=body.description
    )
    return _project_out(project, access.member_role)


@router.delete(
    "/{key}", status_code=status.HTTP_204_NO_CONTENT, responses=responses(401, 403, 404, 422, 429)
)
async def delete_project(access: ProjectMember, session: SessionDep) -> Response:
    """Delete a project and everything in it (owner only)."""
    await service.delete_project(session, access)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{key}/members", responses=responses(401, 404, 422, 429))
async def list_members(
    access: ProjectMember, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[MemberOut]:
    """Members of the project and their roles, by e-mail."""
    rows = await repo.list_members(
        session, access.project.id, after=_after(cursor), limit=limit + 1
    )
    items = [_member_out(membership, user) for membership, user in rows[:limit]]
    next_cursor = encode_cursor([rows[limit - 1][1].email]) if len(rows) > limit else None
    return Page[MemberOut](items=items, next_cursor=next_cursor)


@router.post(
    "/{key}/members",
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 404, 409, 422, 429),
)
async def add_member(
    body: MemberIn, access: ProjectMember, session: SessionDep, context: ContextDep
) -> MemberOut:
    """Add a user by e-mail. Admins grant member or viewer; owners grant any role."""
    membership, user = await service.add_member(
        session, access, email=body.email, role=body.role, now=context.now()
    )
    return _member_out(membership, user)


@router.patch(MEMBER_PATH, responses=responses(401, 403, 404, 409, 422, 429))
async def change_member(
    user_id: uuid.UUID, body: MemberUpdate, access: ProjectMember, session: SessionDep
) -> MemberOut:
    """Change a member's role. Admins manage roles below admin; a project keeps one owner."""
    membership, user = await service.change_member_role(session, access, user_id, body.role)
    return _member_out(membership, user)


@router.delete(
    MEMBER_PATH,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 403, 404, 409, 422, 429),
)
async def remove_member(user_id: uuid.UUID, access: ProjectMember, session: SessionDep) -> Response:
    """Remove a member (or leave the project yourself). The last owner cannot leave."""
    await service.remove_member(session, access, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)

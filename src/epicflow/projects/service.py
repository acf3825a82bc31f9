"""Projects and their members. Every call receives the caller's access, checked once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.auth import service as accounts
from epicflow.auth.tables import User
from epicflow.platform.errors import Conflict, Forbidden, NotFound
from epicflow.projects import repository as repo
from epicflow.projects.models import Membership, Project
from epicflow.projects.rules import Role, at_least, may_manage_member


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    project: Project
    user: User
    role: Role  # effective: a superuser acts as owner
    member_role: Role | None  # the stored membership, if any

    def require(self, needed: Role) -> None:
        if not at_least(self.role, needed):
            raise Forbidden(f"This needs the {needed.value} role or higher.", code="forbidden")


def project_not_found(key: str) -> NotFound:
    return NotFound(f"Project {key} not found.", code="project_not_found")


async def get_access(session: AsyncSession, key: str, user: User) -> ProjectAccess:
    """The caller's access to a project. Non-members get 404: existence is not disclosed."""
    project = await repo.find_project(session, key)
    if project is None:
        raise project_not_found(key)
    membership = await repo.find_membership(session, project.id, user.id)
    member_role = Role(membership.role) if membership else None
    if member_role is None and not user.is_superuser:
        raise project_not_found(key)
    role = Role.owner if user.is_superuser else member_role
    assert role is not None
    return ProjectAccess(project, user, role, member_role)


async def get_access_for(session: AsyncSession, key: str, user_id: uuid.UUID) -> ProjectAccess:
    """The caller, the project and the caller's role in one query (a hot path: every
    project-scoped request starts here)."""
    return access_from(await find_caller(session, key, user_id), key)


async def find_caller(session: AsyncSession, key: str, user_id: uuid.UUID) -> repo.Found | None:
    """The user, the project with `key` (if any) and the user's role in it, unchecked: for
    `access_from`."""
    return await repo.find_user_project(session, user_id, key)


def access_from(found: repo.Found | None, key: str) -> ProjectAccess:
    """The caller's access from what `repo.find_user_project` answers: 401 for a user who is
    gone or inactive, 404 for a project that does not exist or that the caller is not in."""
    if found is None:
        raise accounts.invalid_token()
    user, project, role = found
    accounts.check_active(user)
    if project is None or (role is None and not user.is_superuser):
        raise project_not_found(key)
    member_role = Role(role) if role else None
    effective = Role.owner if user.is_superuser or member_role is None else member_role
    return ProjectAccess(project, user, effective, member_role)


def roles_at_least(needed: Role) -> list[str]:
    """The stored roles that `ProjectAccess.require(needed)` lets through."""
    return [role.value for role in Role if at_least(role, needed)]


async def create_project(
    session: AsyncSession, user: User, *, key: str, name: str, description: str, now: datetime
) -> ProjectAccess:
    project = Project(id=uuid.uuid4(), key=key, name=name, description=description, created_at=now)
    owner = Membership(project_id=project.id, user_id=user.id, role=Role.owner, created_at=now)
    await repo.add_project(session, project, owner)
    return ProjectAccess(project, user, Role.owner, Role.owner)


async def update_project(
    session: AsyncSession, access: ProjectAccess, *, name: str | None, description: str | None
) -> Project:
    access.require(Role.admin)
    project = await repo.get_project(session, access.project.id)
    if name is not None:
        project.name = name
    if description is not None:
        project.description = description
    await session.flush()
    return project


async def delete_project(session: AsyncSession, access: ProjectAccess) -> None:
    access.require(Role.owner)
    await repo.delete(session, await repo.get_project(session, access.project.id))


async def add_member(
    session: AsyncSession, access: ProjectAccess, *, email: str, role: Role, now: datetime
) -> tuple[Membership, User]:
    if not may_manage_member(access.role, None, role):
        raise Forbidden("Your role cannot grant this role.", code="forbidden")
    user = await accounts.find_user_by_email(session, email)
    if user is None:
        raise NotFound("No user with this e-mail.", code="user_not_found")
    membership = Membership(
        project_id=access.project.id, user_id=user.id, role=role, created_at=now
    )
    await repo.add_membership(session, membership)
    return membership, user


async def _ensure_owner_remains(session: AsyncSession, access: ProjectAccess) -> None:
    if await repo.count_owners(session, access.project.id) <= 1:
        raise Conflict("A project must keep at least one owner.", code="last_owner")


async def change_member_role(
    session: AsyncSession, access: ProjectAccess, user_id: uuid.UUID, role: Role
) -> tuple[Membership, User]:
    membership = await repo.get_membership(session, access.project.id, user_id)
    current = Role(membership.role)
    if not may_manage_member(access.role, current, role):
        raise Forbidden("Your role cannot change this member's role.", code="forbidden")
    if current is Role.owner and role is not Role.owner:
        await _ensure_owner_remains(session, access)
    membership.role = role
    await session.flush()
    user = await session.get(User, user_id)
    assert user is not None
    return membership, user


async def remove_member(session: AsyncSession, access: ProjectAccess, user_id: uuid.UUID) -> None:
    membership = await repo.get_membership(session, access.project.id, user_id)
    current = Role(membership.role)
    leaving = user_id == access.user.id
    if not leaving and not may_manage_member(access.role, current, None):
        raise Forbidden("Your role cannot remove this member.", code="forbidden")
    if current is Role.owner:
        await _ensure_owner_remains(session, access)
    await repo.delete(session, membership)


async def next_task_number(session: AsyncSession, access: ProjectAccess) -> int:
    return await repo.next_task_number(session, access.project.id)


async def lock_graph(session: AsyncSession, access: ProjectAccess) -> None:
    await repo.lock_project(session, access.project.id)


async def lock_counts(session: AsyncSession, access: ProjectAccess) -> None:
    """Hold off completions' changes to the unresolved counts (see `repo.lock_counts`)."""
    await repo.lock_counts(session, access.project.id)


async def is_member(session: AsyncSession, access: ProjectAccess, user_id: uuid.UUID) -> bool:
    return await repo.find_membership(session, access.project.id, user_id) is not None


async def mark_graph_changed(session: AsyncSession, access: ProjectAccess) -> None:
    """Downstream hours and unresolved counts must be recomputed before the next claim."""
    await repo.set_graph_stale(session, access.project.id, True)


async def clear_graph_changed(session: AsyncSession, access: ProjectAccess) -> None:
    """Downstream hours and unresolved counts are being recomputed (under the graph lock)."""
    await repo.set_graph_stale(session, access.project.id, False)

"""Acting on a project as an operator: who acts (the operator, a superuser that is never
stored, or ``--as EMAIL``), in one transaction, and a dry run that keeps nothing."""

from __future__ import annotations

import getpass
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.auth import service as accounts
from epicflow.auth.tables import User
from epicflow.platform.clock import utcnow
from epicflow.platform.errors import Invalid, NotFound
from epicflow.projects import service as projects
from epicflow.projects.schemas import ProjectIn
from epicflow.projects.service import ProjectAccess
from epicflow.settings import get_settings
from epicflow.stores.choice import open_database

T = TypeVar("T")
Work = Callable[[AsyncSession, ProjectAccess], Awaitable[T]]


@dataclass(frozen=True)
class NewProject:
    key: str
    name: str
    owner: str  # the --as e-mail

    @classmethod
    def checked(cls, key: str, name: str | None, owner: str | None) -> NewProject:
        """The project to create, checked as `POST /projects` checks it."""
        if owner is None:
            raise Invalid("--create needs --as EMAIL: the user who will own the project.")
        try:
            body = ProjectIn(key=key, name=key if name is None else name)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = {"key": "--project", "name": "--name"}.get(str(error["loc"][0]), "")
            raise Invalid(f"{field}: {error['msg']}", code="invalid_project") from None
        return cls(body.key, body.name, owner)


class _DryRunDone(Exception):
    """Carries a dry run's result out of its transaction, which is rolled back: a project
    that `--create` made for it is not kept."""

    def __init__(self, result: Any, created: bool) -> None:
        super().__init__("dry run")
        self.result, self.created = result, created


def operator() -> User:
    """A superuser that exists only in this process: it is never stored."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "operator"
    return User(id=uuid.UUID(int=0), email=f"cli:{name}", is_active=True, is_superuser=True)


async def user_of(session: AsyncSession, email: str | None) -> User:
    if email is None:
        return operator()
    found = await accounts.find_user_by_email(session, email.strip().lower())
    if found is None:
        raise NotFound(f"No user with the e-mail {email}.", code="user_not_found")
    return found


async def access_of(session: AsyncSession, key: str, email: str | None) -> ProjectAccess:
    return await projects.get_access(session, key, await user_of(session, email))


async def in_project(key: str, email: str | None, work: Work[T]) -> T:
    db = open_database(get_settings().database_url)
    try:
        async with db.sessionmaker.begin() as session:
            return await work(session, await access_of(session, key, email))
    finally:
        await db.dispose()


async def _import_access(
    session: AsyncSession, key: str, email: str | None, create: NewProject | None
) -> tuple[ProjectAccess, bool]:
    """The access to import with, and whether the project was created for it."""
    try:
        return await access_of(session, key, email), False
    except NotFound as exc:
        if exc.code != "project_not_found":
            raise
        if create is None:
            raise NotFound(f"{exc.detail} Add --create to create it.", code=exc.code) from None
    owner = await user_of(session, create.owner)
    access = await projects.create_project(
        session, owner, key=create.key, name=create.name, description="", now=utcnow()
    )
    return access, True


async def import_in_project(
    key: str, email: str | None, create: NewProject | None, work: Work[T], *, dry_run: bool
) -> tuple[T, bool]:
    db = open_database(get_settings().database_url)
    try:
        async with db.sessionmaker.begin() as session:
            await db.begin_locking(session)
            access, created = await _import_access(session, key, email, create)
            result = await work(session, access)
            if dry_run:
                raise _DryRunDone(result, created)
            return result, created
    except _DryRunDone as done:
        return done.result, done.created
    finally:
        await db.dispose()

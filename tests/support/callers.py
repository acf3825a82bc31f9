"""Callers of every kind for a project's endpoints, by name."""

from __future__ import annotations

from sqlalchemy import delete, update

from epicflow.auth.models import User
from epicflow.platform.db import Database
from tests.support.accounts import AccountSeeder
from tests.support.board import Board
from tests.support.users import TestUser

CALLERS = (
    "owner",
    "admin",
    "member",
    "viewer",
    "non-member",
    "superuser",  # not a member: a superuser acts as owner everywhere
    "inactive member",
    "deleted user",
    "anonymous",
)


async def caller_named(board: Board, db: Database, name: str) -> TestUser | None:
    """A user of the kind `name` (one of `CALLERS`) for `board`'s project; None: anonymous."""
    accounts = AccountSeeder(db)
    if name == "owner":
        return board.owner
    if name in ("admin", "member", "viewer"):
        return await board.member(name)
    if name == "non-member":
        return await accounts.create()
    if name == "superuser":
        return await accounts.create(superuser=True)
    if name == "anonymous":
        return None
    user = await board.member("member")
    async with db.engine.begin() as connection:
        if name == "inactive member":
            await connection.execute(
                update(User).where(User.email == user.email).values(is_active=False)
            )
        else:
            await connection.execute(delete(User).where(User.email == user.email))
    return user

"""The caller's access that every project-scoped request reads (`projects.service`)."""

from __future__ import annotations

import uuid

from epicflow.platform.db import Database
from epicflow.projects import service
from epicflow.projects.rules import Role
from tests.support.board import Board


async def test_the_access_holds_the_caller_project_and_role_but_no_password_hash(
    board: Board, db: Database
) -> None:
    async with db.sessionmaker() as session:
        access = await service.get_access_for(session, "WEB", uuid.UUID(board.owner.id))
    assert (access.project.key, access.user.email, access.role) == (
        "WEB",
        board.owner.email,
        Role.owner,
    )
    assert access.user.password_hash is None  # never needed past the login, so never read

"""Users written straight into the database, for tests where accounts are only a precondition.

Signing up through the API costs two argon2 operations per user (hash, then verify at login);
tests that need a whole team per case would spend most of their time there. These users get the
same row the API would write (with a hash of `PASSWORD`, computed once, so logging in still
works) and an access token signed with the test secret, which the API verifies as usual.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import insert

from epicflow.auth.models import User
from epicflow.auth.security import hash_password, issue_access_token
from epicflow.platform.db import Database
from tests.support.settings import TEST_SECRET
from tests.support.users import PASSWORD, TestUser


@cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass
class AccountSeeder:
    db: Database
    secret: str = TEST_SECRET

    async def create(
        self, email: str | None = None, *, superuser: bool = False, full_name: str = ""
    ) -> TestUser:
        user_id = uuid.uuid4()
        address = (email or f"user-{user_id.hex[:10]}@example.com").lower()
        now = datetime.now(UTC)
        async with self.db.engine.begin() as connection:
            await connection.execute(
                insert(User).values(
                    id=user_id,
                    email=address,
                    full_name=full_name,
                    password_hash=_password_hash(),
                    is_active=True,
                    is_superuser=superuser,
                    created_at=now,
                )
            )
        token = issue_access_token(
            str(user_id), key=self.secret, now=now, lifetime=timedelta(minutes=15)
        )
        return TestUser(
            id=str(user_id),
            email=address,
            access_token=token,
            refresh_token="",  # never logged in: no refresh token exists
            headers={"Authorization": f"Bearer {token}"},
        )

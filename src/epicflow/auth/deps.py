"""Who is calling: `CurrentUser` authenticates and applies the caller's API rate limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from epicflow.auth import service
from epicflow.auth.models import User
from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.errors import Unauthorized

bearer = HTTPBearer(
    auto_error=False,
    description="An access token from `/api/v1/auth/token`, or an `efp_` API token.",
)


async def current_user(
    session: SessionDep,
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> User:
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Authentication required.", code="not_authenticated")
    user = await service.resolve_bearer(
        session, credentials.credentials, key=context.secret_key, now=context.now()
    )
    await context.rate_limits.hit_api(str(user.id))
    return user


CurrentUser = Annotated[User, Depends(current_user)]

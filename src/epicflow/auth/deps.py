"""Who is calling: `CurrentUser` authenticates and applies the caller's API rate limit."""

from __future__ import annotations

import uuid
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


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


async def caller_id(
    session: SessionDep, context: ContextDep, credentials: Credentials
) -> uuid.UUID:
    """The authenticated caller's id, with the API rate limit of the credential applied."""
    if credentials is None or not credentials.credentials:
        raise Unauthorized("Authentication required.", code="not_authenticated")
    bearer = await service.bearer_subject(
        session, credentials.credentials, key=context.secret_key, now=context.now()
    )
    await context.rate_limits.hit_api(bearer.budget)
    return bearer.user_id


CallerId = Annotated[uuid.UUID, Depends(caller_id)]


async def current_user(session: SessionDep, user_id: CallerId) -> User:
    return service.check_active(await service.find_user(session, user_id))


CurrentUser = Annotated[User, Depends(current_user)]

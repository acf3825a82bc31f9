from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request, Response, status

from epicflow.auth import repository as repo
from epicflow.auth import service
from epicflow.auth.deps import CurrentUser
from epicflow.auth.schemas import (
    ApiTokenCreated,
    ApiTokenIn,
    ApiTokenOut,
    PasswordChange,
    RefreshIn,
    RegisterIn,
    TokenOut,
    UserOut,
    UserUpdate,
)
from epicflow.platform.context import AppContext, ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.errors import Forbidden
from epicflow.platform.openapi import responses
from epicflow.platform.pagination import (
    CursorQuery,
    LimitQuery,
    Page,
    cursor_datetime,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
)
from epicflow.platform.types import Email, Secret

auth_router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users/me", tags=["users"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _policy(context: AppContext) -> service.TokenPolicy:
    return service.TokenPolicy(
        context.secret_key, context.access_lifetime, context.refresh_lifetime
    )


def _tokens(issued: service.IssuedTokens) -> TokenOut:
    return TokenOut(
        access_token=issued.access_token,
        refresh_token=issued.refresh_token,
        expires_in=issued.expires_in,
    )


@auth_router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=responses(403, 409, 422, 429),
)
async def register(
    body: RegisterIn, request: Request, session: SessionDep, context: ContextDep
) -> UserOut:
    """Create an account. Answers 409 `email_taken` when the e-mail is in use."""
    await context.rate_limits.hit_auth("register", _client(request))
    if not context.settings.signup_enabled:
        raise Forbidden("Sign-up is disabled on this server.", code="signup_disabled")
    user = await service.create_user(
        session,
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        now=context.now(),
    )
    return UserOut.model_validate(user)


@auth_router.post("/token", responses=responses(401, 422, 429))
async def token(
    username: Annotated[Email, Form(description="The account's e-mail.")],
    password: Annotated[Secret, Form()],
    request: Request,
    session: SessionDep,
    context: ContextDep,
) -> TokenOut:
    """Log in with the OAuth2 password flow: a short-lived access token and a refresh token."""
    await context.rate_limits.hit_auth("login", _client(request))
    await context.rate_limits.hit_auth("login-account", username)
    user = await service.authenticate(session, username, password)
    return _tokens(await service.log_in(session, user, _policy(context), context.now()))


@auth_router.post("/refresh", responses=responses(401, 422, 429))
async def refresh(body: RefreshIn, session: SessionDep, context: ContextDep) -> TokenOut:
    """Exchange a refresh token for a new pair. The old refresh token is spent; presenting a
    spent one again revokes that whole login session."""
    issued = await service.refresh(session, body.refresh_token, _policy(context), context.now())
    return _tokens(issued)


@auth_router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=responses(422, 429))
async def logout(body: RefreshIn, session: SessionDep, context: ContextDep) -> Response:
    """Revoke the login session the refresh token belongs to."""
    await service.log_out(session, body.refresh_token, context.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.get("", responses=responses(401, 429))
async def read_me(user: CurrentUser) -> UserOut:
    """The caller's profile."""
    return UserOut.model_validate(user)


@users_router.patch("", responses=responses(401, 409, 422, 429))
async def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> UserOut:
    """Change the caller's name or e-mail."""
    await service.update_profile(session, user, full_name=body.full_name, email=body.email)
    return UserOut.model_validate(user)


@users_router.post(
    "/password", status_code=status.HTTP_204_NO_CONTENT, responses=responses(400, 401, 422, 429)
)
async def change_password(
    body: PasswordChange, user: CurrentUser, session: SessionDep, context: ContextDep
) -> Response:
    """Change the password; every refresh token of the account is revoked."""
    await service.change_password(
        session, user, body.current_password, body.new_password, context.now()
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@users_router.get("/tokens", responses=responses(401, 422, 429))
async def list_tokens(
    user: CurrentUser, session: SessionDep, limit: LimitQuery = 50, cursor: CursorQuery = None
) -> Page[ApiTokenOut]:
    """The caller's API tokens (never their secret values)."""
    after = None
    if cursor is not None:
        created, token_id = decode_cursor(cursor, arity=2)
        after = (cursor_datetime(created), cursor_uuid(token_id))
    rows = await repo.list_api_tokens(session, user.id, after=after, limit=limit + 1)
    items = [ApiTokenOut.model_validate(row) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = encode_cursor([last.created_at.isoformat(), str(last.id)])
    return Page[ApiTokenOut](items=items, next_cursor=next_cursor)


@users_router.post(
    "/tokens", status_code=status.HTTP_201_CREATED, responses=responses(401, 422, 429)
)
async def create_token(
    body: ApiTokenIn, user: CurrentUser, session: SessionDep, context: ContextDep
) -> ApiTokenCreated:
    """Create an API token. Its value (`efp_…`) is shown in this response only."""
    row, secret = await service.create_api_token(
        session, user, name=body.name, expires_at=body.expires_at, now=context.now()
    )
    return ApiTokenCreated(
        id=row.id, name=row.name, token=secret, expires_at=row.expires_at, created_at=row.created_at
    )


@users_router.delete(
    "/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 404, 422, 429),
)
async def revoke_token(
    token_id: uuid.UUID, user: CurrentUser, session: SessionDep, context: ContextDep
) -> Response:
    """Revoke an API token; it stops working at once."""
    await service.revoke_api_token(session, user, token_id, context.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)

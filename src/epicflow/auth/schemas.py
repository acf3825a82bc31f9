from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime

from epicflow.platform.types import (
    Email,
    Name,
    Password,
    RequestModel,
    ResponseModel,
    Secret,
    ShortName,
)


class RegisterIn(RequestModel):
    email: Email
    password: Password
    full_name: Name = ""


class UserOut(ResponseModel):
    id: uuid.UUID
    email: str
    full_name: str
    is_active: bool
    is_superuser: bool
    created_at: datetime


class UserUpdate(RequestModel):
    full_name: Name | None = None
    email: Email | None = None


class PasswordChange(RequestModel):
    current_password: Secret
    new_password: Password


class TokenOut(ResponseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class RefreshIn(RequestModel):
    refresh_token: Secret


class ApiTokenIn(RequestModel):
    name: ShortName
    expires_at: AwareDatetime | None = None


class ApiTokenOut(ResponseModel):
    id: uuid.UUID
    name: str
    expires_at: datetime | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None = None


class ApiTokenCreated(ResponseModel):
    id: uuid.UUID
    name: str
    token: str
    expires_at: datetime | None
    created_at: datetime

from __future__ import annotations

import uuid
from datetime import datetime

from epicflow.platform.types import (
    Email,
    LongText,
    ProjectKey,
    RequestModel,
    ResponseModel,
    ShortName,
)
from epicflow.projects.rules import Role


class ProjectIn(RequestModel):
    key: ProjectKey
    name: ShortName
    description: LongText = ""


class ProjectUpdate(RequestModel):
    name: ShortName | None = None
    description: LongText | None = None


class ProjectOut(ResponseModel):
    key: str
    name: str
    description: str
    created_at: datetime
    role: Role | None  # the caller's role; null for a superuser who is not a member


class MemberIn(RequestModel):
    email: Email
    role: Role = Role.member


class MemberUpdate(RequestModel):
    role: Role


class MemberOut(ResponseModel):
    user_id: uuid.UUID
    email: str
    full_name: str
    role: Role

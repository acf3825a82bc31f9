from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from epicflow.claims.schemas import ClaimToken
from epicflow.platform.types import Markdown, RequestModel


class CommentKind(StrEnum):
    note = "note"
    completion = "completion"
    handoff = "handoff"


class CommentIn(RequestModel):
    body: Markdown
    kind: CommentKind = CommentKind.note
    claim_token: ClaimToken | None = None  # names the claim's worker on the comment


class CommentUpdate(RequestModel):
    body: Markdown


class AuthorOut(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str


class CommentOut(BaseModel):
    id: int
    task: str
    author: AuthorOut
    worker: str | None
    kind: CommentKind
    body: str
    created_at: datetime
    updated_at: datetime

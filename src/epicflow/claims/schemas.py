from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from epicflow.platform.types import Label, Line, Markdown, RequestModel, Slug
from epicflow.tasks.schemas import Link, TaskOut

MAX_COMPLETION_LINKS = 20  # links one completion may add (SPEC 10.4)
LeaseSeconds = Annotated[int, Field(ge=1, le=86_400)]
# Both are matched against stored text: no control characters (PostgreSQL refuses NUL).
Worker = Annotated[Line, StringConstraints(min_length=1, max_length=200)]
ClaimToken = Annotated[Line, StringConstraints(min_length=1, max_length=64)]


class ClaimNextIn(RequestModel):
    worker: Worker
    lease_seconds: LeaseSeconds = 900
    epic: Slug | None = None
    labels: Annotated[list[Label], Field(max_length=20)] = Field(default_factory=list)
    # How long to wait for a task to become ready when none is; 0 answers at once.
    wait_seconds: Annotated[int, Field(ge=0, le=60)] = 0


class ClaimTaskIn(RequestModel):
    worker: Worker
    lease_seconds: LeaseSeconds = 900


class HeartbeatIn(RequestModel):
    claim_token: ClaimToken
    lease_seconds: LeaseSeconds = 900


class TokenIn(RequestModel):
    claim_token: ClaimToken


class CompleteIn(TokenIn):
    summary: Markdown | None = Field(
        default=None, description="Kept as a `completion` comment, in the same transaction."
    )
    links: Annotated[list[Link], Field(max_length=MAX_COMPLETION_LINKS)] | None = Field(
        default=None,
        description="Added to the task's links (at most 50 in all), in the same transaction.",
    )


class ReleaseIn(TokenIn):
    reason: Markdown | None = Field(
        default=None, description="Kept as a `handoff` comment, in the same transaction."
    )


class ClaimOut(BaseModel):
    task: TaskOut
    claim_token: str
    lease_expires_at: datetime

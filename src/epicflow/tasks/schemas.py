from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from epicflow.platform.pagination import MAX_CURSOR_LENGTH, MAX_LIMIT
from epicflow.platform.types import (
    Hours,
    ItemText,
    Label,
    Line,
    LongText,
    RequestModel,
    Slug,
    TaskKey,
    Title,
    WebUrl,
)

Size = Literal["XS", "S", "M", "L", "XL"]
MAX_EDGES = 100
MAX_LABELS = 50
MAX_CHECKS = 100
MAX_LINKS = 50  # on a task (SPEC 10.4)


class TaskStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    blocked = "blocked"
    done = "done"
    cancelled = "cancelled"


class CheckItem(RequestModel):
    text: ItemText
    done: bool = False


class Link(RequestModel):
    """A branch, pull request or build that belongs to a task."""

    url: WebUrl
    title: Annotated[Line, StringConstraints(min_length=1, max_length=200)] | None = None


class Estimate(RequestModel):
    size: Size | None = None
    hours: Hours | None = None


Priority = Annotated[int, Field(ge=0, le=4)]
Keys = Annotated[list[TaskKey], Field(max_length=MAX_EDGES)]
Labels = Annotated[list[Label], Field(max_length=MAX_LABELS)]
Checks = Annotated[list[CheckItem], Field(max_length=MAX_CHECKS)]
Links = Annotated[list[Link], Field(max_length=MAX_LINKS)]


class TaskFields(RequestModel):
    """What a client may write; everything else on a task is server-owned."""

    epic: Slug | None = None
    status: TaskStatus = TaskStatus.open
    priority: Priority = 2
    labels: Labels = Field(default_factory=list)
    assignee: uuid.UUID | None = None
    description: LongText = ""
    tdd_requirements: LongText = ""
    technical_details: LongText = ""
    acceptance_criteria: Checks = Field(default_factory=list)
    definition_of_done: Checks = Field(default_factory=list)
    estimate: Estimate = Field(default_factory=Estimate)
    parallel: bool = True
    depends_on: Keys = Field(default_factory=list)
    conflicts_with: Keys = Field(default_factory=list)
    links: Links = Field(default_factory=list)


class TaskIn(TaskFields):
    title: Title


class TaskUpdate(RequestModel):
    """Only the fields sent change; `depends_on` and `conflicts_with` replace whole lists."""

    title: Title | None = None
    epic: Slug | None = None
    status: TaskStatus | None = None
    priority: Priority | None = None
    labels: Labels | None = None
    assignee: uuid.UUID | None = None
    description: LongText | None = None
    tdd_requirements: LongText | None = None
    technical_details: LongText | None = None
    acceptance_criteria: Checks | None = None
    definition_of_done: Checks | None = None
    estimate: Estimate | None = None
    parallel: bool | None = None
    depends_on: Keys | None = None
    conflicts_with: Keys | None = None
    links: Links | None = None


class CheckOut(BaseModel):
    text: str
    done: bool


class LinkOut(BaseModel):
    url: str
    title: str | None


class EstimateOut(BaseModel):
    size: Size | None
    hours: float | None


class WaitingOut(BaseModel):
    """A task an open task waits on, and why (SPEC 10.2)."""

    key: str
    reason: Literal["dependency", "conflict", "exclusive"]


class TaskOut(BaseModel):
    key: str
    project: str
    epic: str | None
    title: str
    status: TaskStatus
    priority: int
    labels: list[str]
    assignee: uuid.UUID | None
    description: str
    tdd_requirements: str
    technical_details: str
    acceptance_criteria: list[CheckOut]
    definition_of_done: list[CheckOut]
    estimate: EstimateOut
    parallel: bool
    depends_on: list[str]
    conflicts_with: list[str]
    claimed_by: str | None
    lease_expires_at: datetime | None
    version: int
    ready: bool
    blocked_by: list[str]
    waiting_on: list[WaitingOut] = Field(
        description="Why an open task is not ready: the tasks it waits on; empty when it is "
        "ready or not open."
    )
    held: Literal["claim", "manual"] | None = Field(
        description="How a task in progress is held: under a live claim, or set by hand."
    )
    links: list[LinkOut]
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None


class TaskListQuery(BaseModel):
    """The query string of `GET /projects/{key}/tasks`."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    status: list[TaskStatus] = Field(default=[], description="Any of these statuses (repeat).")
    epic: Slug | None = Field(default=None, description="The epic's slug.")
    label: list[Label] = Field(default=[], description="Every one of these labels (repeat).")
    # Free text is a `Line`: no control characters (PostgreSQL refuses NUL in text).
    assignee: Line | None = Field(default=None, max_length=36, description="me, none or a user id")
    ready: bool | None = None
    blocked: bool | None = None
    claimed_by: Line | None = Field(default=None, max_length=200)
    q: Line | None = Field(default=None, max_length=200, description="Full-text search")
    updated_since: AwareDatetime | None = None
    sort: Line = Field(
        default="key",
        max_length=20,
        description="priority, created_at, updated_at or key; '-' for descending",
    )
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT, description="Page size (max 200).")
    cursor: str | None = Field(
        default=None, max_length=MAX_CURSOR_LENGTH, description="Opaque cursor from `next_cursor`."
    )

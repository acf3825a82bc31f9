"""What the tools take and return: the fields an agent acts on, derived from the API's JSON
(`ready`, `waiting_on`, `held`, the lease's seconds left), not raw relations."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class Waiting(BaseModel):
    key: str
    reason: Literal["dependency", "conflict", "exclusive"]


class TaskBrief(BaseModel):
    key: str
    title: str
    epic: str | None
    status: str
    priority: int
    labels: list[str]
    ready: bool
    waiting_on: list[Waiting]
    held: Literal["claim", "manual"] | None
    claimed_by: str | None
    lease_seconds_left: int | None


class Check(BaseModel):
    text: str
    done: bool


class Task(TaskBrief):
    project: str
    description: str
    acceptance_criteria: list[Check]
    depends_on: list[str]
    conflicts_with: list[str]
    claim_token: str | None = Field(description="Set for the claim's holder only.")


class TaskPage(BaseModel):
    tasks: list[TaskBrief]
    next_cursor: str | None


class Tasks(BaseModel):
    tasks: list[Task]


class Claimed(BaseModel):
    task: Task | None
    claim_token: str | None
    queue: Literal["drained", "waiting"] | None = Field(
        description="Why nothing was claimed: drained (no work left) or waiting (none ready now)."
    )


class Project(BaseModel):
    key: str
    name: str


class Projects(BaseModel):
    projects: list[Project]


class Comment(BaseModel):
    id: str
    task: str
    kind: str
    body: str
    created_at: str


class NewTask(BaseModel):
    title: str
    epic: str | None = None
    description: str = ""
    priority: int | None = None
    labels: list[str] = Field(default_factory=list)
    depends_on: list[str | int] = Field(
        default_factory=list, description="Task keys, or indexes of earlier tasks in this batch."
    )
    parallel: bool = True


def lease_left(expires: str | None, now: datetime | None = None) -> int | None:
    if expires is None:
        return None
    moment = now or datetime.now(UTC)
    return max(0, int((datetime.fromisoformat(expires) - moment).total_seconds()))


def brief(view: dict[str, Any]) -> TaskBrief:
    return TaskBrief.model_validate(_derived(view))


def task(view: dict[str, Any], claim_token: str | None = None) -> Task:
    held = view.get("held") == "claim"
    return Task.model_validate({**_derived(view), "claim_token": claim_token if held else None})


def _derived(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "lease_seconds_left": lease_left(view.get("lease_expires_at"))}

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

from epicflow.platform.types import LongText, RequestModel, Slug, Title


class EpicStatus(StrEnum):
    backlog = "backlog"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"


class EpicIn(RequestModel):
    slug: Slug
    title: Title
    description: LongText = ""
    status: EpicStatus = EpicStatus.backlog
    prd: LongText | None = None


class EpicUpdate(RequestModel):
    slug: Slug | None = None
    title: Title | None = None
    description: LongText | None = None
    status: EpicStatus | None = None
    prd: LongText | None = None


class EpicCounts(BaseModel):
    open: int = 0
    in_progress: int = 0
    blocked: int = 0
    done: int = 0
    cancelled: int = 0
    total: int = 0


class EpicOut(BaseModel):
    slug: str
    title: str
    description: str
    status: EpicStatus
    prd: str | None
    created_at: datetime
    updated_at: datetime
    counts: EpicCounts
    progress: int
    hours_total: float
    hours_done: float

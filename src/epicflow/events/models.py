from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from epicflow.platform.models import Base, UTCDateTime


class Event(Base):
    """Append-only history; written in the same transaction as the change it records."""

    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_project", "project_id", "id"),
        Index("ix_event_project_task", "project_id", "task_key", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    task_key: Mapped[str | None] = mapped_column(String(24), nullable=True)
    type: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(254))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

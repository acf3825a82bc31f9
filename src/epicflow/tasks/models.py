from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from epicflow.platform.models import Base, UTCDateTime

# A task's content: what a request or an upload sets as written (not its links, times or claim).
TASK_CONTENT = (
    "title",
    "status",
    "priority",
    "description",
    "tdd_requirements",
    "technical_details",
    "acceptance_criteria",
    "definition_of_done",
    "estimate_size",
    "estimate_hours",
    "parallel",
)

# `status = 'in_progress'` written inline, not as a parameter: a generic plan can use the partial
# indexes of running tasks only when the query states their predicate literally.
RUNNING = literal_column("'in_progress'", String)
IS_RUNNING = "status = 'in_progress'"
CLAIMED = "claimed_by IS NOT NULL"
# Open and no dependency left unresolved, as far as `unresolved_deps` knows: the predicate of the
# claim order's partial index (`IN_CLAIM_ORDER_INDEX`, below the model, is the same condition).
CLAIMABLE = "status = 'open' AND unresolved_deps = 0"


def _where(predicate: str) -> dict[str, Any]:
    """A partial index's predicate, on both databases."""
    return {"postgresql_where": text(predicate), "sqlite_where": text(predicate)}


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        # A one-status list sorted by priority walks this index in order.
        Index("ix_task_project_status_priority", "project_id", "status", "priority", "number"),
        Index("ix_task_project_epic", "project_id", "epic_id"),
        Index("ix_task_project_priority", "project_id", "priority", "number"),
        Index("ix_task_project_created", "project_id", "created_at", "number"),
        Index("ix_task_project_updated", "project_id", "updated_at", "number"),
        Index("ix_task_project_assignee", "project_id", "assignee_id"),
        Index("ix_task_project_claimed_by", "project_id", "claimed_by", **_where(CLAIMED)),
        # The claim order over the open tasks that wait on nothing, so that a claim walks the
        # index and stops at the first ready task without looking at the ones still waiting.
        Index(
            "ix_task_claim_order",
            "project_id",
            "priority",
            text("downstream_hours DESC"),
            "number",
            **_where(CLAIMABLE),
        ),
        # Running tasks only: the lease sweep, and rules 3 and 4, which ask which tasks of an
        # epic are running. Partial, so that a task leaving `in_progress` costs no entry.
        Index("ix_task_running_lease", "lease_expires_at", **_where(IS_RUNNING)),
        Index("ix_task_running_epic", "epic_id", **_where(IS_RUNNING)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(String(24), unique=True)
    epic_id: Mapped[int | None] = mapped_column(
        ForeignKey("epic.id", ondelete="RESTRICT"), nullable=True
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")
    priority: Mapped[int] = mapped_column(Integer, default=2)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), nullable=True
    )
    description: Mapped[str] = mapped_column(Text, default="")
    tdd_requirements: Mapped[str] = mapped_column(Text, default="")
    technical_details: Mapped[str] = mapped_column(Text, default="")
    acceptance_criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    definition_of_done: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    estimate_size: Mapped[str | None] = mapped_column(String(2), nullable=True)
    estimate_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    parallel: Mapped[bool] = mapped_column(Boolean, default=True)
    # `[{url, title}]` (SPEC 10.4), replaced whole by an edit, added to by a completion.
    links: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Own hours plus the longest chain of unresolved dependents: the claim order's tie-breaker,
    # kept up to date lazily (see `project.graph_stale`).
    downstream_hours: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    # How many dependencies are neither done nor cancelled, kept for the claim order's index:
    # recomputed with the downstream hours, lowered by a completion (the counts lock keeps the
    # two apart: docs/claims.md).
    unresolved_deps: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# `CLAIMABLE` as a query condition, its values inline: only then do both databases use the index.
IN_CLAIM_ORDER_INDEX = (
    Task.status == literal_column("'open'", String),
    Task.unresolved_deps == literal_column("0", Integer),
)


class TaskLabel(Base):
    __tablename__ = "task_label"
    __table_args__ = (Index("ix_task_label_project_label", "project_id", "label"),)

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(String(50), primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))


class TaskEdge(Base):
    """`task_id` waits on `depends_on_id`."""

    __tablename__ = "task_edge"
    __table_args__ = (
        CheckConstraint("task_id <> depends_on_id", name="not_self"),
        Index("ix_task_edge_depends_on", "depends_on_id"),
        Index("ix_task_edge_project", "project_id"),
    )

    task_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    depends_on_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))


class TaskConflict(Base):
    """A symmetric conflict, stored once with the smaller task id first."""

    __tablename__ = "task_conflict"
    __table_args__ = (
        CheckConstraint("low_id < high_id", name="ordered"),
        Index("ix_task_conflict_high", "high_id"),
    )

    low_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), primary_key=True)
    high_id: Mapped[int] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))

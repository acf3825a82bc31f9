"""The task tables as other features may name them in their own SQL: claims change a task's
row in one conditional UPDATE (in the claim order's index, hence its predicate), and import and
export read and write every task of a project at once. The index predicates written as text
stay private to the models."""

from __future__ import annotations

from epicflow.tasks.models import (
    IN_CLAIM_ORDER_INDEX,
    RUNNING,
    TASK_CONTENT,
    Task,
    TaskConflict,
    TaskEdge,
    TaskLabel,
)

__all__ = [
    "IN_CLAIM_ORDER_INDEX",
    "RUNNING",
    "TASK_CONTENT",
    "Task",
    "TaskConflict",
    "TaskEdge",
    "TaskLabel",
]

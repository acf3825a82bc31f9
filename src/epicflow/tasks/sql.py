"""SQL expressions shared by task queries (and the epic statistics)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import ColumnElement, case, func

from epicflow.tasks.models import Task

RESOLVED = ("done", "cancelled")


def effective_hours() -> ColumnElement[float]:
    """The same rule as `graph.effective_hours`: hours, else the size's hours, else 0."""
    by_size = case(
        (Task.estimate_size == "XS", 2.0),
        (Task.estimate_size == "S", 4.0),
        (Task.estimate_size == "M", 8.0),
        (Task.estimate_size == "L", 16.0),
        (Task.estimate_size == "XL", 24.0),
        else_=0.0,
    )
    hours = cast(ColumnElement[float], Task.estimate_hours)
    return func.coalesce(hours, by_size)

"""Plain value types shared by the graph algorithms; no behaviour beyond estimates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["open", "in_progress", "blocked", "done", "cancelled"]

# A dependency on a task in one of these states no longer holds anything up.
RESOLVED: frozenset[str] = frozenset({"done", "cancelled"})

SIZE_HOURS: dict[str, float] = {"XS": 2.0, "S": 4.0, "M": 8.0, "L": 16.0, "XL": 24.0}


@dataclass(frozen=True, slots=True)
class Node:
    """One task as the graph sees it: only what ordering and the start rules need."""

    key: str
    number: int
    status: str
    priority: int = 2
    epic: str | None = None
    parallel: bool = True
    hours: float = 0.0
    depends_on: tuple[str, ...] = ()
    conflicts_with: tuple[str, ...] = ()
    claimed: bool = False
    title: str = ""


@dataclass(frozen=True, slots=True)
class StartViolation:
    """Why a task may not move to in_progress now (SPEC §2 rules 2-4)."""

    code: Literal["blocked_by_dependencies", "conflict_in_progress", "exclusive_task_running"]
    keys: tuple[str, ...]


def effective_hours(hours: float | None, size: str | None) -> float:
    """Explicit hours win over a t-shirt size; an unestimated task weighs nothing."""
    if hours is not None:
        return float(hours)
    if size is None:
        return 0.0
    return SIZE_HOURS.get(size.upper(), 0.0)

"""SPEC rule 5 (a task is ready) and the facts it rests on, as SQL expressions: the one source
every store builds its statements from. `graph.Graph.is_ready` is the same rule for the pure
graph; the tests hold the two to agree (docs/rules.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import QueryableAttribute, aliased

from epicflow.graph import RESOLVED as RESOLVED_SET
from epicflow.graph import SIZE_HOURS
from epicflow.platform.models import UTCDateTime
from epicflow.tasks.models import RUNNING, Task, TaskConflict, TaskEdge

# The statuses that satisfy a dependency, in a fixed order for SQL.
RESOLVED = tuple(sorted(RESOLVED_SET))
# The moment a read is made: leases are live until then.
NOW = bindparam("now", type_=UTCDateTime)


def claim_order() -> tuple[Any, ...]:
    """The order claims take ready tasks in: priority, then most downstream hours, then key
    number (SPEC rule 6; `graph.Graph.claim_order` is the same for the pure graph)."""
    return (Task.priority, Task.downstream_hours.desc(), Task.number)


def unresolved(status: ColumnElement[str] | QueryableAttribute[str]) -> ColumnElement[bool]:
    """`status NOT IN RESOLVED` with plain parameters: an expanding IN is re-rendered on every
    execution, and this condition sits in every hot read."""
    return and_(*(status != value for value in RESOLVED))


def effective_hours() -> ColumnElement[float]:
    """`graph.effective_hours` in SQL: hours, else the size's hours, else 0."""
    by_size = case(
        *((Task.estimate_size == size, hours) for size, hours in SIZE_HOURS.items()),
        else_=0.0,
    )
    hours = cast(ColumnElement[float], Task.estimate_hours)
    return func.coalesce(hours, by_size)


def _unresolved_edges() -> Select[Any]:
    """The task's edges to dependencies not yet done or cancelled (correlated to `Task`)."""
    dep = aliased(Task)
    return (
        select(1)
        .select_from(TaskEdge)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.task_id == Task.id, unresolved(dep.status))
    )


def _unresolved_dependency() -> ColumnElement[bool]:
    return exists(_unresolved_edges())


def _conflict_running() -> ColumnElement[bool]:
    other = aliased(Task)
    pair = or_(
        and_(TaskConflict.low_id == Task.id, other.id == TaskConflict.high_id),
        and_(TaskConflict.high_id == Task.id, other.id == TaskConflict.low_id),
    )
    return exists(
        select(1).select_from(TaskConflict).join(other, pair).where(other.status == RUNNING)
    )


def _exclusive_clash() -> ColumnElement[bool]:
    other = aliased(Task)
    return exists(
        select(1).where(
            other.epic_id == Task.epic_id,
            other.id != Task.id,
            other.status == RUNNING,
            or_(Task.parallel == false(), other.parallel == false()),
        )
    )


# Built once: constructing these correlated subqueries (aliases and all) costs milliseconds,
# and the claim path asks for them on every claim.
UNRESOLVED_DEPENDENCY = _unresolved_dependency()
_FREE_TO_START = and_(
    Task.status == "open",
    not_(UNRESOLVED_DEPENDENCY),
    not_(_conflict_running()),
    not_(_exclusive_clash()),
)


def _unclaimed(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    return or_(
        Task.claimed_by.is_(None), Task.lease_expires_at.is_(None), Task.lease_expires_at <= now
    )


def ready_condition(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """SPEC rule 5 in SQL, for filtering and paging; `graph.Graph.is_ready` is the same rule for
    a single task, and the tests hold the two to agree. PostgreSQL's `epicflow_claim_next` is
    rendered from it (`stores/postgres/functions.py`): a change here fails the test that holds
    the newest migration to the rendered text, until a migration carries it."""
    return and_(_FREE_TO_START, _unclaimed(now))


def _unresolved_count() -> ColumnElement[int]:
    return _unresolved_edges().with_only_columns(func.count()).scalar_subquery()


def ready_flag(now: datetime | ColumnElement[datetime]) -> ColumnElement[bool]:
    """`ready_condition` as a column of a page of tasks, checked row by row. The dependency
    test is a per-row count: in a select list PostgreSQL may answer a NOT EXISTS by hashing
    every edge of the project, which costs a whole page of tasks many times over."""
    return ready_flag_given(_unresolved_count(), now)


def ready_flag_given(
    open_deps: ColumnElement[int], now: datetime | ColumnElement[datetime]
) -> ColumnElement[bool]:
    """`ready_flag` for a query that has counted each task's unresolved dependencies."""
    return and_(
        Task.status == "open",
        open_deps == 0,
        not_(_conflict_running()),
        not_(_exclusive_clash()),
        _unclaimed(now),
    )

"""SPEC rule 5 (a task is ready) and the facts it rests on, as SQL expressions: the one source
every store builds its statements from. `graph.Graph.is_ready` is the same rule for the pure
graph; the tests hold the two to agree (docs/rules.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    union_all,
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


def _unresolved_edges() -> tuple[Select[Any], type[Task]]:
    """The task's edges to dependencies not yet done or cancelled (correlated to `Task`), and
    the dependency's alias."""
    dep = aliased(Task)
    edges = (
        select(1)
        .select_from(TaskEdge)
        .join(dep, dep.id == TaskEdge.depends_on_id)
        .where(TaskEdge.task_id == Task.id, unresolved(dep.status))
    )
    return edges, dep


def _running_conflicts() -> tuple[Select[Any], type[Task]]:
    """The task's conflict partners in progress (correlated to `Task`), and the partner's
    alias."""
    other = aliased(Task)
    pair = or_(
        and_(TaskConflict.low_id == Task.id, other.id == TaskConflict.high_id),
        and_(TaskConflict.high_id == Task.id, other.id == TaskConflict.low_id),
    )
    running = select(1).select_from(TaskConflict).join(other, pair).where(other.status == RUNNING)
    return running, other


def _exclusive_clashes() -> tuple[Select[Any], type[Task]]:
    """The tasks of the task's epic in progress that rule 4 keeps it from starting beside
    (correlated to `Task`), and their alias."""
    other = aliased(Task)
    clashes = select(1).where(
        other.epic_id == Task.epic_id,
        other.id != Task.id,
        other.status == RUNNING,
        or_(Task.parallel == false(), other.parallel == false()),
    )
    return clashes, other


def _unresolved_dependency() -> ColumnElement[bool]:
    return exists(_unresolved_edges()[0])


def _conflict_running() -> ColumnElement[bool]:
    return exists(_running_conflicts()[0])


def _exclusive_clash() -> ColumnElement[bool]:
    return exists(_exclusive_clashes()[0])


# Why an open task is not ready (SPEC 10.2), in the order a view lists them: each the facts
# rule 5 rests on, naming the tasks instead of asking whether there are any.
WAITING_REASONS = {
    "dependency": _unresolved_edges,
    "conflict": _running_conflicts,
    "exclusive": _exclusive_clashes,
}


def waiting_on_rows() -> Subquery:
    """What an open task waits on (correlated to `Task`; no rows for a task not open): rows of
    `key`, `reason`, and `rank` then `number` to list them by (reason, then key number)."""
    branches = []
    for rank, (reason, facts) in enumerate(WAITING_REASONS.items()):
        rows, other = facts()
        branches.append(
            rows.with_only_columns(
                other.key.label("key"),
                literal(reason).label("reason"),
                literal(rank).label("rank"),
                other.number.label("number"),
            )
            .where(Task.status == "open")
            .correlate(Task)
        )
    return union_all(*branches).subquery("waiting")


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
    return _unresolved_edges()[0].with_only_columns(func.count()).scalar_subquery()


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


def held(now: datetime | ColumnElement[datetime]) -> ColumnElement[str | None]:
    """How a task in progress is held (SPEC 10.1): `claim` under a live claim, `manual` when
    set in progress by hand (no claim, no lease), else NULL."""
    return case(
        (Task.status != RUNNING, None),
        (Task.claimed_by.is_(None), "manual"),
        (_unclaimed(now), None),
        else_="claim",
    )

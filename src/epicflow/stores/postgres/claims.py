"""PostgreSQL's claims: a claim or a call on a held claim as one statement, which commits on
its own (it runs before anything else of its unit of work: `platform.db.fetch_rows`). The
statement reads the caller's access, runs the call only when that access allows it, and
answers the task's view as the call left it: one round trip per request.

    SELECT caller.*, c.*, v.*
    FROM (<the user, the project, the role; in_project, in_actor, allowed>) AS caller
    LEFT JOIN LATERAL (SELECT * FROM epicflow_claim_next(caller.in_project, …) WHERE
                       caller.allowed) AS c ON true
    LEFT JOIN LATERAL epicflow_task_view(c.claimed_id, c.claimed_at) AS v ON true

`WHERE caller.allowed` refers to nothing of its own subquery: PostgreSQL tests it once per
caller row before it runs the function (a one-time filter), so a caller without the role
never reaches the call. That holds only while the subquery stays one: PostgreSQL pulls a simple
LATERAL subquery up into the join, where the same condition becomes a join filter, tested
after the function has run (and claimed a task for a viewer). `OFFSET 0` keeps it a subquery;
tests/claims/test_claim_access.py fails without it. The view function reads on a snapshot of
its own, taken after the call (`sql/epicflow_task_view.sql`).
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Insert,
    Select,
    String,
    Subquery,
    TableValuedAlias,
    bindparam,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.claims.repository import Wanted, take_next_statement
from epicflow.events import repository as events
from epicflow.platform.db import fetch_rows
from epicflow.platform.models import UTCDateTime
from epicflow.projects.repository import (
    USER_PROJECT_WIDTH,
    user_project_allowed,
    user_project_of,
)
from epicflow.stores.base import Answer, Caller, NextClaim
from epicflow.tasks.readiness import NOW
from epicflow.tasks.views import VIEW_FUNCTION_COLUMNS

_EXTEND = "epicflow_extend"  # the one call on a held claim that records no event
# The caller's columns: `_USER_PROJECT`'s, then in_project, in_actor, allowed.
_CALLER_WIDTH = USER_PROJECT_WIDTH + 3
_CLAIM_COLUMNS = ("claimed_id", "claimed_key", "claimed_at", "claimed_until", "prepare")


def _caller(roles: tuple[str, ...]) -> Subquery:
    return user_project_allowed(roles).subquery("caller")


def _with_view(caller: Subquery, call: TableValuedAlias, at: str | None) -> Select[Any]:
    """`caller`; `call`, run only when the caller is allowed; the view of the task whose id is
    the call's first column, read after the call, with leases live until the call's column
    `at` (else :now)."""
    # OFFSET 0 keeps the subquery a subquery: pulled up into the join, its WHERE would become a
    # join filter, tested only after the call had run.
    gated = select(call).where(caller.c.allowed).offset(literal_column("0"))
    ran = gated.lateral("c")
    task_id = next(iter(ran.c))
    until: ColumnElement[Any] = NOW if at is None else ran.c[at]
    view = func.epicflow_task_view(task_id, until).table_valued(*VIEW_FUNCTION_COLUMNS).lateral("v")
    joined = caller.outerjoin(ran, true()).outerjoin(view, true())
    return select(caller, ran, view).select_from(joined)


@cache
def _claim_next(roles: tuple[str, ...]) -> Select[Any]:
    caller = _caller(roles)
    call = func.epicflow_claim_next(
        caller.c.in_project,
        NOW,
        bindparam("in_lease"),
        bindparam("in_worker"),
        bindparam("in_token"),
        caller.c.in_actor,
        bindparam("epic"),
        bindparam("labels", type_=ARRAY(String)),
    ).table_valued(*_CLAIM_COLUMNS)
    return _with_view(caller, call, "claimed_at")


@cache
def _on_held(roles: tuple[str, ...], function: str, columns: tuple[str, ...]) -> Select[Any]:
    """`function(project, key, token, now, fifth)`, a call on a held claim: `fifth` is the
    caller's e-mail for a call that records an event, else the new lease end `:in_until`."""
    caller = _caller(roles)
    fifth = bindparam("in_until", type_=UTCDateTime) if function == _EXTEND else caller.c.in_actor
    call = getattr(func, function)(
        caller.c.in_project,
        bindparam("in_key"),
        bindparam("in_token"),
        NOW,
        fifth,
    ).table_valued(*columns)
    return _with_view(caller, call, None)


@cache
def _take_next_recorded(has_epic: bool, labels: int) -> Insert:
    """The claim's long way: `take_next_statement` and its `claim.acquired` event in one
    statement (a data-changing CTE), one round trip less while the graph lock is held."""
    took = take_next_statement(has_epic, labels).cte("took")
    recorded = events.record_each(took.c.project_id, took.c.key, "claim.acquired", now=NOW)
    key = events.EVENT.c.task_key
    return recorded.add_cte(took).returning(select(took.c.id).scalar_subquery(), key)


async def _answer(
    session: AsyncSession, statement: Select[Any], caller: Caller, params: dict[str, object]
) -> Answer:
    caller_params = {"user_id": caller.user_id, "key": caller.project_key}
    rows = await fetch_rows(session, statement, {**caller_params, **params})
    if not rows:
        return Answer(found=None)
    row = rows[0]
    found = user_project_of(row)
    allowed = bool(row[_CALLER_WIDTH - 1])
    call = row[_CALLER_WIDTH : len(row) - len(VIEW_FUNCTION_COLUMNS)]
    if not allowed or all(value is None for value in call):
        return Answer(found, allowed)
    view = row[len(row) - len(VIEW_FUNCTION_COLUMNS) :]
    return Answer(found, allowed, call, None if view[0] is None else view)


def _held(key: str, token: str, now: datetime) -> dict[str, object]:
    return {"in_key": key, "in_token": token, "now": now}


class PostgresClaimStore:
    async def claim_at_once(
        self, session: AsyncSession, caller: Caller, claim: NextClaim
    ) -> Answer:
        """`epicflow_claim_next` as the caller (its columns: claimed_id, claimed_key,
        claimed_at, claimed_until, prepare). It declines (`long_way`) when the claim order
        must be refreshed or a lease has lapsed."""
        params = {
            "now": claim.now,
            "in_lease": claim.lease_seconds,
            "in_worker": claim.worker,
            "in_token": claim.token,
            "epic": claim.epic,
            "labels": claim.labels,
        }
        answer = await _answer(session, _claim_next(caller.roles), caller, params)
        if answer.call is not None and answer.call[4]:
            return Answer(answer.found, answer.allowed, long_way=True)
        return answer

    async def take_next(
        self, session: AsyncSession, wanted: Wanted, *, actor: str, data: dict[str, object]
    ) -> tuple[int, str] | None:
        params = {**wanted.params(), "in_actor": actor, "in_data": data}
        statement = _take_next_recorded(*wanted.statement_shape)
        row = (await session.execute(statement, params)).one_or_none()
        return None if row is None else (row[0], row[1])

    async def extend(
        self,
        session: AsyncSession,
        caller: Caller,
        *,
        key: str,
        token: str,
        now: datetime,
        until: datetime,
    ) -> Answer:
        """`epicflow_extend` as the caller (its column: extended_id)."""
        params = {**_held(key, token, now), "in_until": until}
        statement = _on_held(caller.roles, _EXTEND, ("extended_id",))
        return await _answer(session, statement, caller, params)

    async def end(
        self,
        session: AsyncSession,
        caller: Caller,
        *,
        key: str,
        token: str,
        now: datetime,
        done: bool,
    ) -> Answer:
        """`epicflow_complete` (completed_id, worker; nothing when a dependency is
        unresolved) or `epicflow_release` (released_id, worker) as the caller."""
        if done:
            statement = _on_held(caller.roles, "epicflow_complete", ("completed_id", "worker"))
        else:
            statement = _on_held(caller.roles, "epicflow_release", ("released_id", "worker"))
        return await _answer(session, statement, caller, _held(key, token, now))

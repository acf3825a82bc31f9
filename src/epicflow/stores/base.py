"""What each database engine's store provides, and how a unit of work finds its store.

Services and routes never ask which engine they talk to: they ask `store_of(session)`, chosen
once when the `Database` was made (`epicflow.stores.open_database`). Statements that read the
same on every engine live with their feature; a store holds what differs: SQL fragments
(arrays or JSON text, full-text search), locks, and writes an engine can do in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement, FromClause, Integer, Select, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

if TYPE_CHECKING:
    from epicflow.claims.repository import Wanted
    from epicflow.platform.db import Database
    from epicflow.platform.wakeups import Wakeups
    from epicflow.projects.repository import Found
    from epicflow.tasks.writes import NewTask


@dataclass(frozen=True, slots=True)
class ViewParts:
    """What a task view reads that each engine spells its own way: the JSON lists (the two
    checklists and the links, in that order), the derived columns (labels, depends_on,
    blocked_by, conflicts_with, ready, waiting_on, held, in that order) and a LATERAL source
    they read from, if any."""

    checklists: list[Any]
    derived: list[Any]
    lateral: FromClause | None = None


class TaskSql(Protocol):
    """SQL fragments of task reads. Stateless and hashable: statements are built once per
    store and cached."""

    def __hash__(self) -> int: ...

    def any_of(
        self, column: QueryableAttribute[Any], name: str, item: type[Integer | String]
    ) -> ColumnElement[bool]:
        """`column IN (:name)` whose statement text never changes with the number of values."""
        ...

    def has_label(self, param: str) -> ColumnElement[bool]:
        """The task (`Task`, not aliased) carries the label `:param`."""
        ...

    def search(self) -> ColumnElement[bool]:
        """The task matches the full-text query `:f_q`."""
        ...

    def search_terms(self, q: str) -> str | None:
        """What `:f_q` is given for the words a user typed; None when nothing can match."""
        ...

    def view_parts(self, *, checklists_as_text: bool) -> ViewParts: ...

    def in_page(self, ids: Select[Any]) -> ColumnElement[bool]:
        """`Task.id` is one of the page's `ids` (a SELECT with a LIMIT)."""
        ...


class TaskStore(Protocol):
    @property
    def sql(self) -> TaskSql: ...

    @property
    def writes_at_once(self) -> bool:
        """Whether `create_at_once` and `edit_at_once` are available: a task that needs no
        start rule created, or its plain fields changed, with its event, in one statement."""
        ...

    async def create_at_once(
        self, session: AsyncSession, task: NewTask, *, actor: str, now: datetime
    ) -> int: ...

    async def edit_at_once(
        self,
        session: AsyncSession,
        project_id: uuid.UUID,
        key: str,
        changes: dict[str, Any],
        versions: list[int] | None,
        *,
        actor: str,
        now: datetime,
    ) -> int | None: ...

    async def refresh_label_copies(self, session: AsyncSession, task_ids: Sequence[int]) -> None:
        """Bring any copy of the labels kept on the task rows up to date with `task_label`."""
        ...


@dataclass(frozen=True, slots=True)
class Caller:
    """Who calls, in which project, and the roles the call needs (one of them, or a
    superuser)."""

    user_id: uuid.UUID
    project_key: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """What a claim call answered: the caller's user, project and role (`found`; None when the
    user does not exist), whether the caller may make the call (`allowed`), the call's row
    (None when nothing was taken or the claim is not held), the task's view row when the call
    read it, and whether the claim must take the long way (the graph changed or a lease ran
    out since the claim order was last refreshed, or the store claims only the long way)."""

    found: Found | None
    allowed: bool = False
    call: Sequence[Any] | None = None
    view: Sequence[Any] | None = None
    long_way: bool = False


@dataclass(frozen=True, slots=True)
class NextClaim:
    """A claim of the next ready task, as asked."""

    now: datetime
    lease_seconds: int
    worker: str
    token: str
    epic: str | None
    labels: list[str]


class ClaimStore(Protocol):
    async def claim_at_once(
        self, session: AsyncSession, caller: Caller, claim: NextClaim
    ) -> Answer:
        """The caller's access and, where the store can, the claim itself (call: id, key, at,
        until); `long_way` when the claim must be made in a transaction
        (`claims.service`)."""
        ...

    async def take_next(
        self, session: AsyncSession, wanted: Wanted, *, actor: str, data: dict[str, object]
    ) -> tuple[int, str] | None:
        """In the claim's transaction: take the first ready task in claim order and record
        `claim.acquired`; (id, key), or None when nothing is ready."""
        ...

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
        """Move the lease of a held claim to `until` (call: the task id)."""
        ...

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
        """End a held claim, the task `done` (rule 2 permitting) or back to `open`, with its
        event (call: the task id, the worker)."""
        ...


class ProjectStore(Protocol):
    async def lock_counts(self, session: AsyncSession, project_id: uuid.UUID) -> None:
        """Keep completions from lowering unresolved counts until the transaction ends."""
        ...


class EventWatch(Protocol):
    async def run(self, db: Database, wakeups: Wakeups) -> None:
        """Until cancelled: `wakeups.wake(project_id)` within a second of each commit that
        recorded events of a project someone waits on, whichever process committed it."""
        ...


@dataclass(frozen=True, slots=True)
class Store:
    """Everything that differs between engines, for one engine."""

    tasks: TaskStore
    claims: ClaimStore
    projects: ProjectStore
    watch: EventWatch


def store_of(session: AsyncSession) -> Store:
    """The store of the database `session` belongs to."""
    store: Store = session.info["store"]
    return store

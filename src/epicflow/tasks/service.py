"""Task writes. Every rule question goes to the pure graph package; this module gathers the
facts it needs, applies the answer and records what happened."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics import service as epics
from epicflow.events import service as events
from epicflow.graph import RESOLVED, Graph, StartViolation, find_cycle_with
from epicflow.platform.errors import Conflict, Invalid, NotFound, PreconditionFailed
from epicflow.projects import service as projects
from epicflow.projects.access import Found
from epicflow.projects.rules import Role
from epicflow.projects.service import ProjectAccess
from epicflow.stores.base import store_of
from epicflow.tasks import repository as repo
from epicflow.tasks.claim_guard import claim_to_revoke
from epicflow.tasks.models import Task
from epicflow.tasks.schemas import TaskIn, TaskStatus, TaskUpdate
from epicflow.tasks.writes import PLAIN_FIELDS, NewTask, if_match_versions

GRAPH_FIELDS = frozenset({"depends_on", "conflicts_with", "status", "parallel", "epic"})
RULED = frozenset({"in_progress", "done"})  # statuses the start rules (2-4) judge


def project_key_of(task_key: str) -> str:
    """`WEB` of `WEB-12`."""
    return task_key.rsplit("-", 1)[0]


async def task_access(session: AsyncSession, task_key: str, user_id: uuid.UUID) -> ProjectAccess:
    """The caller's access to the project `task_key` names; a stranger sees 404 for the task."""
    found = await projects.find_caller(session, project_key_of(task_key), user_id)
    return access_to_task(found, task_key)


def access_to_task(found: Found | None, task_key: str) -> ProjectAccess:
    """The caller's access to the project `task_key` names, from what `projects.find_caller`
    answers; a stranger sees 404 for the task."""
    try:
        return projects.access_from(found, project_key_of(task_key))
    except NotFound as exc:
        raise repo.task_not_found(task_key) from exc


def _violation(violation: StartViolation) -> Conflict:
    messages = {
        "blocked_by_dependencies": "The task has unresolved dependencies.",
        "conflict_in_progress": "A conflicting task is in progress.",
        "exclusive_task_running": "An exclusive task of this epic is in progress, or this "
        "exclusive task cannot start while others of its epic run.",
    }
    keys = list(violation.keys)
    extra = {"blocked_by": keys} if violation.code == "blocked_by_dependencies" else {"tasks": keys}
    return Conflict(messages[violation.code], code=violation.code, **extra)


def check_if_match(if_match: str | None, version: int) -> None:
    """`If-Match: "<version>"` must name the current version; `*` or no header always match."""
    versions = if_match_versions(if_match)
    if versions is not None and version not in versions:
        raise PreconditionFailed(
            f"The task changed; its current version is {version}.", current_version=version
        )


async def _resolve_refs(
    session: AsyncSession, access: ProjectAccess, field: str, keys: Sequence[str], own: str | None
) -> dict[str, int]:
    if own is not None and own in keys:
        raise Invalid(
            f"A task cannot reference itself in {field}.", code="self_reference", field=field
        )
    found = await repo.ids_for_keys(session, access.project.id, keys)
    missing = sorted(set(keys) - found.keys())
    if missing:
        raise Invalid(
            f"Unknown task in {field}: {', '.join(missing)}.",
            code="unknown_task",
            field=field,
            keys=missing,
        )
    return found


async def _resolve_epic(
    session: AsyncSession, access: ProjectAccess, slug: str | None
) -> int | None:
    if slug is None:
        return None
    epic_id = await epics.find_epic_id(session, access, slug)
    if epic_id is None:
        raise Invalid(f"Unknown epic {slug}.", code="unknown_epic", field="epic")
    return epic_id


async def _check_no_cycle(
    session: AsyncSession, access: ProjectAccess, key: str, depends_on: Sequence[str]
) -> None:
    graph: dict[str, list[str]] = {}
    for waiting, dependency in await repo.project_edges(session, access.project.id):
        graph.setdefault(waiting, []).append(dependency)
    cycle = find_cycle_with(graph, key, depends_on)
    if cycle is not None:
        raise Conflict(
            "The dependency would close a cycle: " + " → ".join(cycle) + ".",
            code="dependency_cycle",
            cycle=cycle,
        )


async def _check_rules(
    session: AsyncSession,
    access: ProjectAccess,
    task: Task,
    new_status: str,
    refs: tuple[list[str], list[str]],
) -> None:
    """Rules 2-4 for a task about to be in `new_status` with dependencies and conflicts `refs`.
    The task's own node is read with its neighbours (its changes so far are flushed first)."""
    if new_status not in RULED:
        return
    epic_ids = [] if task.epic_id is None else [task.epic_id]
    neighbours = await repo.neighbour_nodes(session, access.project.id, [task.id], epic_ids)
    deps, conflicts = refs
    mine = next(n for n in neighbours if n.key == task.key)
    me = replace(mine, depends_on=tuple(deps), conflicts_with=tuple(conflicts))
    graph = Graph([*(n for n in neighbours if n.key != task.key), me])
    if new_status == "done":
        blocking = graph.blocked_by(task.key)
        if blocking:
            raise _violation(StartViolation("blocked_by_dependencies", tuple(blocking)))
        return
    violation = graph.start_violation(task.key)
    if violation is not None:
        raise _violation(violation)


def _apply_status(task: Task, status: str, now: datetime) -> None:
    if status == task.status:
        return
    if status == "in_progress" and task.started_at is None:
        task.started_at = now
    task.completed_at = now if status == "done" else None
    if status != "in_progress":
        task.claimed_by = task.claim_token = task.lease_expires_at = None
    task.status = status


async def _store_refs(
    session: AsyncSession, task: Task, deps: dict[str, int] | None, conflicts: dict[str, int] | None
) -> None:
    if deps is not None:
        await repo.replace_edges(session, task, deps.values())
    if conflicts is not None:
        await repo.replace_conflicts(session, task, conflicts.values())


async def _check_assignee(
    session: AsyncSession, access: ProjectAccess, user_id: uuid.UUID | None
) -> None:
    if user_id is not None and not await projects.is_member(session, access, user_id):
        raise Invalid(
            "The assignee is not a member of the project.", code="unknown_user", field="assignee"
        )


async def create_task(
    session: AsyncSession,
    access: ProjectAccess,
    body: TaskIn,
    now: datetime,
) -> int:
    """Create a task; its id. A task whose status needs no start rule is written in one
    statement where the store can (`TaskStore.create_at_once`)."""
    access.require(Role.member)
    epic_id = await _resolve_epic(session, access, body.epic)
    deps = await _resolve_refs(session, access, "depends_on", body.depends_on, None)
    conflicts = await _resolve_refs(session, access, "conflicts_with", body.conflicts_with, None)
    await _check_assignee(session, access, body.assignee)
    status = body.status.value
    new = _new_task(access, body, epic_id, deps, conflicts)
    store = store_of(session).tasks
    if status not in RULED and store.writes_at_once:
        return await store.create_at_once(session, new, actor=access.user.email, now=now)
    # Taken last: the counter's row lock serialises graph writes until the commit.
    number = await projects.next_task_number(session, access)
    task = Task(
        **{**new.columns(), "status": "open"},  # rules 2-4 judge the status asked for below
        project_id=access.project.id,
        number=number,
        key=f"{access.project.key}-{number}",
        version=1,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    await session.flush()
    await repo.add_links(session, task, deps.values(), conflicts.values(), body.labels)
    await _check_rules(session, access, task, status, (list(deps), list(conflicts)))
    _apply_status(task, status, now)
    await _record(
        session, access, task, "task.created", now, {"title": task.title, "status": status}
    )
    await session.flush()
    return task.id


def _new_task(
    access: ProjectAccess,
    body: TaskIn,
    epic_id: int | None,
    deps: dict[str, int],
    conflicts: dict[str, int],
) -> NewTask:
    return NewTask(
        project_id=access.project.id,
        project_key=access.project.key,
        epic_id=epic_id,
        title=body.title,
        status=body.status.value,
        priority=body.priority,
        assignee_id=body.assignee,
        description=body.description,
        tdd_requirements=body.tdd_requirements,
        technical_details=body.technical_details,
        acceptance_criteria=[item.model_dump() for item in body.acceptance_criteria],
        definition_of_done=[item.model_dump() for item in body.definition_of_done],
        estimate_size=body.estimate.size,
        estimate_hours=body.estimate.hours,
        parallel=body.parallel,
        links=[link.model_dump() for link in body.links],
        depends_on=list(deps.values()),
        conflicts_with=list(conflicts.values()),
        labels=body.labels,
    )


async def _record(
    session: AsyncSession,
    access: ProjectAccess,
    task: Task,
    kind: str,
    now: datetime,
    data: dict[str, Any],
) -> None:
    await events.record(
        session,
        project_id=access.project.id,
        task_key=task.key,
        type=kind,
        actor=access.user.email,
        now=now,
        data=data,
    )


NOT_NULL = frozenset(TaskUpdate.model_fields) - {"epic", "assignee"}
SCALARS = ("title", "priority", "description", "tdd_requirements", "technical_details", "parallel")


def _refuse_nulls(changes: dict[str, Any]) -> None:
    nulls = sorted(name for name in NOT_NULL if name in changes and changes[name] is None)
    if nulls:
        raise Invalid(f"These fields cannot be null: {', '.join(nulls)}.", field=nulls[0])


def _checklists(body: TaskUpdate) -> dict[str, list[dict[str, Any]]]:
    """The lists of items sent (checklists and links), each item whole, defaults included."""
    lists = {
        "acceptance_criteria": body.acceptance_criteria,
        "definition_of_done": body.definition_of_done,
        "links": body.links,
    }
    return {
        name: [item.model_dump() for item in items]
        for name, items in lists.items()
        if items is not None
    }


def _apply_fields(task: Task, body: TaskUpdate, changes: dict[str, Any]) -> None:
    for name in SCALARS:
        if name in changes:
            setattr(task, name, changes[name])
    for name, items in _checklists(body).items():
        setattr(task, name, items)
    if body.estimate is not None:
        task.estimate_size, task.estimate_hours = body.estimate.size, body.estimate.hours


async def _edit_plain(
    session: AsyncSession,
    access: ProjectAccess,
    key: str,
    changes: dict[str, Any],
    if_match: str | None,
    now: datetime,
) -> int:
    """Plain fields only, in one statement (`TaskStore.edit_at_once`)."""
    versions = if_match_versions(if_match)
    task_id = await store_of(session).tasks.edit_at_once(
        session, access.project.id, key, changes, versions, actor=access.user.email, now=now
    )
    if task_id is not None:
        return task_id
    task = await repo.get_task(session, access.project.id, key)  # 404 when there is none
    check_if_match(if_match, task.version)
    raise PreconditionFailed(  # only if the task changed between the two statements
        f"The task changed; its current version is {task.version}.",
        current_version=task.version,
    )


async def update_task(
    session: AsyncSession,
    access: ProjectAccess,
    key: str,
    body: TaskUpdate,
    if_match: str | None,
    now: datetime,
    *,
    force: bool = False,
) -> int:
    """Change a task; its id. A change of plain fields only is one statement where the store
    can (`TaskStore.edit_at_once`). A live claim keeps the status unless an admin `force`s the
    change, which ends the claim first (`claim_guard`)."""
    access.require(Role.admin if force else Role.member)
    changes = body.model_dump(exclude_unset=True)
    _refuse_nulls(changes)
    plain = bool(changes) and changes.keys() <= PLAIN_FIELDS.keys()
    if plain and store_of(session).tasks.writes_at_once:
        values = {**changes, **_checklists(body)}  # each item whole, defaults included
        return await _edit_plain(session, access, key, values, if_match, now)
    if GRAPH_FIELDS & changes.keys():
        await projects.lock_graph(session, access)
    task = await repo.get_task(session, access.project.id, key, for_update=True)
    check_if_match(if_match, task.version)
    new_status = body.status.value if body.status else None
    revoked = claim_to_revoke(task, new_status, force=force, now=now)
    deps, conflicts = await _new_refs(session, access, task.key, body)
    if "epic" in changes:
        task.epic_id = await _resolve_epic(session, access, body.epic)
    if "assignee" in changes:
        await _check_assignee(session, access, body.assignee)
        task.assignee_id = body.assignee
    _apply_fields(task, body, changes)
    await _store_refs(session, task, deps, conflicts)
    if body.labels is not None:
        await repo.replace_labels(session, task, body.labels)
    await _check_transition(session, access, task, body.status, changes, (deps, conflicts))
    old_status = task.status
    _apply_status(task, body.status.value if body.status else task.status, now)
    task.version += 1
    task.updated_at = now
    if _moves_claim_order(changes, old_status, task.status):
        await projects.mark_graph_changed(session, access)
    if revoked is not None:
        await _record(session, access, task, "claim.revoked", now, {"worker": revoked})
    await _record(session, access, task, "task.updated", now, {"fields": sorted(changes)})
    if task.status != old_status:
        data = {"from": old_status, "to": task.status}
        await _record(session, access, task, "task.status_changed", now, data)
    await session.flush()
    return task.id


async def _new_refs(
    session: AsyncSession, access: ProjectAccess, key: str, body: TaskUpdate
) -> tuple[dict[str, int] | None, dict[str, int] | None]:
    """The dependencies and conflicts `body` replaces (None: unchanged), checked."""
    deps = conflicts = None
    if body.depends_on is not None:
        deps = await _resolve_refs(session, access, "depends_on", body.depends_on, key)
        await _check_no_cycle(session, access, key, list(deps))
    if body.conflicts_with is not None:
        conflicts = await _resolve_refs(session, access, "conflicts_with", body.conflicts_with, key)
    return deps, conflicts


def _moves_claim_order(changes: dict[str, Any], old: str, new: str) -> bool:
    resolved_flip = (old in RESOLVED) != (new in RESOLVED)
    return resolved_flip or bool({"depends_on", "estimate"} & changes.keys())


async def _check_transition(
    session: AsyncSession,
    access: ProjectAccess,
    task: Task,
    status: TaskStatus | None,
    changes: dict[str, Any],
    written: tuple[dict[str, int] | None, dict[str, int] | None],
) -> None:
    """Moving status applies rules 2-4; a running task re-checks 3 and 4 when its conflicts,
    exclusivity or epic change. `written`: the dependencies and conflicts this update has
    just stored (None: unchanged)."""
    if status is not None and status.value != task.status:
        refs = await _refs_now(session, task, written)
        await _check_rules(session, access, task, status.value, refs)
    elif task.status == "in_progress" and {"conflicts_with", "parallel", "epic"} & changes.keys():
        _deps, conflicts = await _refs_now(session, task, written)
        await _check_rules(session, access, task, "in_progress", ([], conflicts))


async def _refs_now(
    session: AsyncSession,
    task: Task,
    written: tuple[dict[str, int] | None, dict[str, int] | None],
) -> tuple[list[str], list[str]]:
    """The task's dependency and conflict keys as they stand: those just written, else the
    stored ones (read only when one of them is needed)."""
    deps, conflicts = written
    if deps is None or conflicts is None:
        stored_deps, stored_conflicts = await repo.task_refs(session, task.id)
    else:
        stored_deps = stored_conflicts = []
    return (
        stored_deps if deps is None else list(deps),
        stored_conflicts if conflicts is None else list(conflicts),
    )


async def delete_task(
    session: AsyncSession, access: ProjectAccess, key: str, if_match: str | None, now: datetime
) -> None:
    access.require(Role.admin)
    await projects.lock_graph(session, access)
    task = await repo.get_task(session, access.project.id, key, for_update=True)
    check_if_match(if_match, task.version)
    await projects.mark_graph_changed(session, access)
    await _record(session, access, task, "task.deleted", now, {"title": task.title})
    await repo.delete_task(session, task)


async def get_task(session: AsyncSession, access: ProjectAccess, key: str) -> Task:
    return await repo.get_task(session, access.project.id, key)


async def check_can_start(session: AsyncSession, access: ProjectAccess, task: Task) -> None:
    """Rules 2-4 for moving `task` to in_progress as it stands."""
    await _check_rules(session, access, task, "in_progress", await repo.task_refs(session, task.id))


async def check_can_finish(session: AsyncSession, access: ProjectAccess, task: Task) -> None:
    """Rule 2 for moving `task` to done."""
    await _check_rules(session, access, task, "done", await repo.task_refs(session, task.id))

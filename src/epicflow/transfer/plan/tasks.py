"""What an import does to one task of the upload: create, update or leave alone. Pure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from epicflow.transfer.plan.diff import (
    claim_after,
    content_changes,
    kept_meta,
    merge_content,
    meta_changed,
    task_times,
    time_changes,
)
from epicflow.transfer.plan.inputs import Meta, Snapshot, StoredTask, TaskSpec
from epicflow.transfer.plan.written import task_check


@dataclass(frozen=True)
class TaskFacts:
    """What the planner resolved for one spec against the whole upload and project."""

    key: str
    number: int
    assignee_id: uuid.UUID | None
    deps: frozenset[str]
    conflicts: frozenset[str]
    export_path: str | None  # where export writes the matched task now
    # Where export will write each task the deps and conflicts name (for the file's check).
    ref_paths: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())


@dataclass(frozen=True)
class TaskPlan:
    spec: TaskSpec
    stored: StoredTask | None
    key: str
    number: int
    changed: tuple[str, ...]  # empty: unchanged
    row: dict[str, Any] | None  # columns to write (the epic as its slug, under "epic")
    deps: frozenset[str]
    conflicts: frozenset[str]
    path: str | None
    meta: Meta | None
    write_source: bool

    @property
    def created(self) -> bool:
        return self.stored is None


def _keys(snapshot: Snapshot, ids: set[int] | None) -> frozenset[str]:
    return frozenset(snapshot.tasks[i].key for i in ids or ())


def _changes(spec: TaskSpec, stored: StoredTask, facts: TaskFacts, snap: Snapshot) -> list[str]:
    # The readers give every content field (``schemas.task_content``), so its names are the
    # fields to compare.
    changed = content_changes(spec.content, stored.content, spec.content, spec.from_markdown)
    checks = (
        ("labels", spec.labels != stored.labels),
        ("epic", spec.epic != snap.epic_slug(stored.epic_id)),
        ("assignee", facts.assignee_id != stored.assignee_id),
        ("depends_on", facts.deps != _keys(snap, snap.deps.get(stored.id))),
        ("conflicts_with", facts.conflicts != _keys(snap, snap.conflicts.get(stored.id))),
        ("ccpm", meta_changed(spec.meta, stored.meta)),
        ("path", spec.path is not None and spec.path != facts.export_path),
    )
    changed += [name for name, differs in checks if differs]
    return changed + time_changes(spec.times, stored.times)


def _row(
    spec: TaskSpec, stored: StoredTask | None, facts: TaskFacts, now: datetime
) -> dict[str, Any]:
    old_content = None if stored is None else stored.content
    content = merge_content(spec.content, old_content, spec.from_markdown)
    status = content["status"]
    return {
        **content,
        "epic": spec.epic,
        "assignee_id": facts.assignee_id,
        **task_times(spec.times, None if stored is None else stored.times, status, now),
        **claim_after(status, None if stored is None else stored.claim),
        "version": 1 if stored is None else stored.version + 1,
    }


def _written(
    meta: Meta | None,
    stored: StoredTask | None,
    changed: bool,
    path: str | None,
    facts: TaskFacts,
    key_written: str | None,
) -> Meta | None:
    """The metadata with the check of the file as written, for the version the import leaves
    (none when the file names another key: written back, it would name the wrong task)."""
    if meta is None or meta.written is None:
        return meta
    if key_written is not None and key_written != facts.key:
        return replace(meta, written_check=None)
    version = 1 if stored is None else stored.version + (1 if changed else 0)
    check = task_check(meta.written, version, path, *facts.ref_paths)
    return replace(meta, written_check=check)


def plan_task(
    spec: TaskSpec, stored: StoredTask | None, facts: TaskFacts, snap: Snapshot, now: datetime
) -> TaskPlan:
    changed = ["created"] if stored is None else _changes(spec, stored, facts, snap)
    path = spec.path if spec.path is not None or stored is None else stored.path
    meta = kept_meta(spec.meta, None if stored is None else stored.meta)
    meta = _written(meta, stored, bool(changed), path, facts, spec.key)
    if stored is None:
        write_source = path is not None or (meta is not None and not meta.is_empty())
    else:
        checks = (meta and meta.written_check, stored.meta and stored.meta.written_check)
        given = meta is not None and meta.written is not None and checks[0] != checks[1]
        write_source = path != stored.path or meta_changed(spec.meta, stored.meta) or given
    return TaskPlan(
        spec=spec,
        stored=stored,
        key=facts.key,
        number=facts.number,
        changed=tuple(changed),
        row=_row(spec, stored, facts, now) if changed else None,
        deps=facts.deps,
        conflicts=facts.conflicts,
        path=path,
        meta=meta,
        write_source=write_source,
    )

"""What an import does to each epic of the upload: create, update or leave alone. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from epicflow.transfer.plan.diff import (
    content_changes,
    epic_times,
    kept_meta,
    merge_content,
    meta_changed,
    time_changes,
)
from epicflow.transfer.plan.inputs import (
    EPIC_CONTENT,
    EpicSpec,
    Meta,
    Snapshot,
    StoredEpic,
    default_epic_content,
)
from epicflow.transfer.plan.tasks import TaskPlan
from epicflow.transfer.plan.written import epic_check, progress


@dataclass(frozen=True)
class EpicPlan:
    slug: str
    stored: StoredEpic | None
    changed: tuple[str, ...]  # empty: unchanged
    row: dict[str, Any] | None  # the columns to write, when created or changed
    meta: Meta | None  # what task_source-like storage keeps for the epic
    write_meta: bool

    @property
    def created(self) -> bool:
        return self.stored is None


def _new(spec: EpicSpec, now: datetime) -> EpicPlan:
    content = spec.content or default_epic_content(spec.slug)
    meta = spec.meta or Meta()
    row = {**content, **epic_times(spec.times, None, now)}
    return EpicPlan(spec.slug, None, ("created",), row, meta, not meta.is_empty())


def _existing(spec: EpicSpec, stored: StoredEpic, now: datetime) -> EpicPlan:
    if spec.content is None:  # a folder without epic.md says nothing about its epic
        return EpicPlan(spec.slug, stored, (), None, stored.meta, False)
    changed = content_changes(spec.content, stored.content, EPIC_CONTENT, spec.from_markdown)
    changed += time_changes(spec.times, stored.times)
    if meta_changed(spec.meta, stored.meta):
        changed.append("ccpm")
    meta = kept_meta(spec.meta, stored.meta)
    if not changed:
        return EpicPlan(spec.slug, stored, (), None, meta, False)
    content = merge_content(spec.content, stored.content, spec.from_markdown)
    row = {**content, **epic_times(spec.times, stored.times, now)}
    return EpicPlan(spec.slug, stored, tuple(changed), row, meta, "ccpm" in changed)


def plan_epics(specs: Iterable[EpicSpec], snapshot: Snapshot, now: datetime) -> list[EpicPlan]:
    by_slug = {epic.slug: epic for epic in snapshot.epics.values()}
    plans = []
    for spec in specs:
        stored = by_slug.get(spec.slug)
        plans.append(_new(spec, now) if stored is None else _existing(spec, stored, now))
    return plans


def _statuses(tasks: Iterable[TaskPlan], snapshot: Snapshot) -> dict[str | None, list[str]]:
    """Each epic's task statuses once the import is applied."""
    out: dict[str | None, list[str]] = defaultdict(list)
    planned = set()
    for plan in tasks:
        if plan.stored is not None:
            planned.add(plan.stored.id)
        if plan.row is not None:
            out[plan.row["epic"]].append(plan.row["status"])
        elif plan.stored is not None:
            out[snapshot.epic_slug(plan.stored.epic_id)].append(plan.stored.content["status"])
    for task in snapshot.tasks.values():
        if task.id not in planned:
            out[snapshot.epic_slug(task.epic_id)].append(task.content["status"])
    return out


def sealed(plans: list[EpicPlan], tasks: Iterable[TaskPlan], snapshot: Snapshot) -> list[EpicPlan]:
    """The epics with the check of each ``epic.md`` as written (``plan.written``), made from
    what the import leaves: the epic's fields and times, and its progress."""
    statuses = _statuses(tasks, snapshot)
    out = []
    for plan in plans:
        meta = plan.meta
        if meta is None or meta.written is None:
            out.append(plan)
            continue
        values: dict[str, Any] = {}
        if plan.stored is not None:
            values |= {**plan.stored.content, **plan.stored.times}
        values |= plan.row or {}
        content = {name: values[name] for name in EPIC_CONTENT}
        done = progress(statuses.get(plan.slug, []))
        check = epic_check(meta.written, content, values, meta.github, meta.extra, done)
        meta = replace(meta, written_check=check)
        stored = None if plan.stored is None or plan.stored.meta is None else plan.stored.meta
        write = plan.write_meta or stored is None or check != stored.written_check
        out.append(replace(plan, meta=meta, write_meta=write))
    return out

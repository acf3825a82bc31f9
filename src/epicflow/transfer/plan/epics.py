"""What an import does to each epic of the upload: create, update or leave alone. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from epicflow.transfer.plan.diff import (
    content_changes,
    epic_times,
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
    if not changed:
        return EpicPlan(spec.slug, stored, (), None, stored.meta, False)
    content = merge_content(spec.content, stored.content, spec.from_markdown)
    row = {**content, **epic_times(spec.times, stored.times, now)}
    meta = spec.meta if spec.meta is not None else stored.meta
    return EpicPlan(spec.slug, stored, tuple(changed), row, meta, "ccpm" in changed)


def plan_epics(specs: Iterable[EpicSpec], snapshot: Snapshot, now: datetime) -> list[EpicPlan]:
    by_slug = {epic.slug: epic for epic in snapshot.epics.values()}
    plans = []
    for spec in specs:
        stored = by_slug.get(spec.slug)
        plans.append(_new(spec, now) if stored is None else _existing(spec, stored, now))
    return plans

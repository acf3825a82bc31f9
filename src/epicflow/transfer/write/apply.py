"""Applying a checked import plan: epics, then tasks, links, sources and events, all in bulk."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.projects import service as projects
from epicflow.projects.service import ProjectAccess
from epicflow.transfer.plan.epics import EpicPlan
from epicflow.transfer.plan.inputs import FileSpec
from epicflow.transfer.plan.planner import Plan
from epicflow.transfer.plan.tasks import TaskPlan
from epicflow.transfer.write import bulk
from epicflow.transfer.write.attachments import file_rows, write_files

Progress = Callable[[str, int, int], None]  # (stage, done, total)
SOURCE = {"source": "import"}


def no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


class Writer:
    def __init__(
        self, session: AsyncSession, access: ProjectAccess, now: datetime, progress: Progress
    ) -> None:
        self.session = session
        self.access = access
        self.project_id: uuid.UUID = access.project.id
        self.now = now
        self.progress = progress
        self.events: list[dict[str, Any]] = []

    def event(self, kind: str, data: dict[str, Any], task_key: str | None = None) -> None:
        self.events.append(
            {
                "project_id": self.project_id,
                "task_key": task_key,
                "type": kind,
                "actor": self.access.user.email,
                "data": {**data, **SOURCE},
                "created_at": self.now,
            }
        )

    async def epics(self, plans: list[EpicPlan]) -> dict[str, int]:
        new = [p for p in plans if p.created]
        changed = [p for p in plans if p.stored is not None and p.changed]
        rows = [{"project_id": self.project_id, "slug": p.slug, **(p.row or {})} for p in new]
        ids = await bulk.insert_epics(self.session, self.project_id, rows)
        updates = [{"id": p.stored.id, **(p.row or {})} for p in changed if p.stored]
        await bulk.update_epics(self.session, updates)
        for plan in new:
            self.event("epic.created", {"epic": plan.slug})
        for plan in changed:
            self.event("epic.updated", {"epic": plan.slug, "fields": sorted(plan.changed)})
        written = [p for p in plans if p.write_meta]
        meta_rows = [
            {
                "epic_id": ids[p.slug],
                "project_id": self.project_id,
                "github": p.meta.github,
                "extra": dict(p.meta.extra),
                "written": p.meta.written,
                "written_check": p.meta.written_check,
            }
            for p in written
            if p.meta is not None and not p.meta.is_empty()
        ]
        await bulk.replace_epic_sources(self.session, [ids[p.slug] for p in written], meta_rows)
        return ids

    def _task_row(self, plan: TaskPlan, epic_ids: dict[str, int]) -> dict[str, Any]:
        row = dict(plan.row or {})
        slug = row.pop("epic")
        row["epic_id"] = None if slug is None else epic_ids[slug]
        if plan.stored is not None:
            return {"id": plan.stored.id, **row}
        return {
            **row,
            "project_id": self.project_id,
            "number": plan.number,
            "key": plan.key,
            "downstream_hours": 0.0,
        }

    async def tasks(self, plan: Plan, epic_ids: dict[str, int]) -> dict[str, int]:
        new = [self._task_row(p, epic_ids) for p in plan.tasks if p.created]
        changed = [p for p in plan.tasks if p.stored is not None and p.changed]
        updates = [self._task_row(p, epic_ids) for p in changed]
        total, done = len(new) + len(updates), 0
        if new:
            first = await bulk.reserve_numbers(self.session, self.project_id, len(new))
            if first != plan.first_number:
                raise bulk.concurrent_change()
        for chunk in bulk.chunks(new):
            await bulk.insert_tasks(self.session, chunk)
            done += len(chunk)
            self.progress("Writing tasks", done, total)
        for chunk in bulk.chunks(updates):
            await bulk.update_tasks(self.session, chunk)
            done += len(chunk)
            self.progress("Writing tasks", done, total)
        return plan.known_ids | await bulk.task_ids(
            self.session, self.project_id, plan.first_number
        )

    async def links(self, plans: list[TaskPlan], every: dict[str, int]) -> None:
        """Edges, conflicts and labels of every created or changed task, written anew."""
        written = [p for p in plans if p.changed]
        await bulk.clear_links(self.session, [p.stored.id for p in written if p.stored])
        edges, pairs, labels = [], set(), []
        for plan in written:
            me = every[plan.key]
            edges += [
                {"task_id": me, "depends_on_id": every[k], "project_id": self.project_id}
                for k in sorted(plan.deps)
            ]
            pairs |= {(min(me, every[k]), max(me, every[k])) for k in plan.conflicts}
            labels += [
                {"task_id": me, "label": label, "project_id": self.project_id}
                for label in plan.spec.labels
            ]
        conflicts = [
            {"low_id": low, "high_id": high, "project_id": self.project_id}
            for low, high in sorted(pairs)
        ]
        ids = [every[plan.key] for plan in written]
        await bulk.insert_links(self.session, edges, conflicts, labels, ids)

    async def sources(self, plans: list[TaskPlan], ids: dict[str, int]) -> None:
        written = [p for p in plans if p.write_source]
        rows = [_source_row(p, ids[p.key], self.project_id) for p in written]
        kept = [row for row in rows if row is not None]
        await bulk.replace_task_sources(
            self.session, self.project_id, [ids[p.key] for p in written], kept
        )

    def task_events(self, plans: list[TaskPlan]) -> None:
        for plan in plans:
            if plan.created:
                data = {"title": plan.spec.content["title"], "status": plan.spec.content["status"]}
                self.event("task.created", data, plan.key)
            elif plan.changed:
                self.event("task.updated", {"fields": sorted(plan.changed)}, plan.key)
                if "status" in plan.changed and plan.stored is not None:
                    old, new = plan.stored.content["status"], plan.spec.content["status"]
                    self.event("task.status_changed", {"from": old, "to": new}, plan.key)


def _source_row(plan: TaskPlan, task_id: int, project_id: uuid.UUID) -> dict[str, Any] | None:
    meta = plan.meta
    if plan.path is None and (meta is None or meta.is_empty()):
        return None
    return {
        "task_id": task_id,
        "project_id": project_id,
        "path": plan.path,
        "github": None if meta is None else meta.github,
        "dependencies_note": "" if meta is None else meta.dependencies_note,
        "extra": {} if meta is None else dict(meta.extra),
        "written": None if meta is None else meta.written,
        "written_check": None if meta is None else meta.written_check,
    }


async def apply_plan(
    session: AsyncSession,
    access: ProjectAccess,
    plan: Plan,
    now: datetime,
    counts: dict[str, Any],
    progress: Progress = no_progress,
    files: Sequence[FileSpec] = (),
) -> None:
    writer = Writer(session, access, now, progress)
    epic_ids = await writer.epics(plan.epics)
    ids = await writer.tasks(plan, epic_ids)
    await writer.links(plan.tasks, ids)
    await writer.sources(plan.tasks, ids)
    keys = {task.spec.name: task.key for task in plan.tasks}
    await write_files(session, file_rows(writer.project_id, files, epic_ids, keys, ids))
    writer.task_events(plan.tasks)
    if writer.events:  # an import that changes nothing leaves no trace
        writer.event("project.imported", counts)
    await bulk.insert_events(session, writer.events)
    if any(task.changed for task in plan.tasks):
        await projects.mark_graph_changed(session, access)

"""A project as the JSON bundle: epics and tasks in their API shapes, plus ``ccpm``, what the
markdown files carried that has no field. Import takes the bundle back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics import service as epics
from epicflow.projects.service import ProjectAccess
from epicflow.tasks.views import to_view
from epicflow.transfer import repository as repo
from epicflow.transfer.plan.inputs import Meta


def _source(path: str | None, meta: Meta | None) -> dict[str, Any] | None:
    if path is None and meta is None:
        return None
    meta = meta or Meta()
    return {
        "path": path,
        "github": meta.github,
        "dependencies_note": meta.dependencies_note,
        "extra": dict(meta.extra),
    }


async def bundle(session: AsyncSession, access: ProjectAccess, now: datetime) -> dict[str, Any]:
    """``{project, epics, tasks}``."""
    project = access.project
    pid = project.id
    epic_meta = await repo.epic_sources(session, pid)
    epic_rows = await repo.list_epics(session, pid)
    epic_list = []
    for epic, out in zip(epic_rows, await epics.describe(session, epic_rows), strict=True):
        meta = epic_meta.get(epic.id)
        # The bytes as written stay with markdown: a bundle carries what they mean.
        kept = meta is not None and (meta.github is not None or meta.extra)
        ccpm = {"github": meta.github, "extra": dict(meta.extra)} if meta and kept else None
        epic_list.append({**out.model_dump(), "ccpm": ccpm})
    sources = await repo.task_sources(session, pid)
    tasks = []
    for row in await repo.task_rows(session, pid, now):
        path, meta = sources.get(row.id, (None, None))
        tasks.append({**to_view(row, project.key), "ccpm": _source(path, meta)})
    head = {
        "key": project.key,
        "name": project.name,
        "description": project.description,
        "created_at": project.created_at,
    }
    return {"project": head, "epics": epic_list, "tasks": tasks}

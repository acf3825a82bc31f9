"""A project as the JSON bundle: epics and tasks in their API shapes, plus ``ccpm``, what the
markdown files carried that has no field. Import takes the bundle back."""

from __future__ import annotations

import base64
import uuid
from collections import defaultdict
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


def _epic_source(meta: Meta | None, files: list[dict[str, Any]]) -> dict[str, Any] | None:
    """What the epic's folder carried beyond ``epic.md``; ``files`` only when there are some.
    The bytes of ``epic.md`` as written stay with markdown: a bundle carries what they mean."""
    if (meta is None or (meta.github is None and not meta.extra)) and not files:
        return None
    meta = meta or Meta()
    ccpm: dict[str, Any] = {"github": meta.github, "extra": dict(meta.extra)}
    return ccpm | {"files": files} if files else ccpm


async def _files(
    session: AsyncSession, project_id: uuid.UUID, keys: dict[int, str]
) -> dict[int, list[dict[str, Any]]]:
    """The files beside the tasks by epic id: path, the key of their task, bytes as base64."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in await repo.epic_files(session, project_id):
        data = base64.b64encode(row.data).decode("ascii")
        task = None if row.task_id is None else keys.get(row.task_id)
        out[row.epic_id].append({"path": row.path, "task": task, "data": data})
    return out


async def bundle(session: AsyncSession, access: ProjectAccess, now: datetime) -> dict[str, Any]:
    """``{project, epics, tasks}``."""
    project = access.project
    pid = project.id
    sources = await repo.task_sources(session, pid)
    tasks, keys = [], {}
    for row in await repo.task_rows(session, pid, now):
        path, meta = sources.get(row.id, (None, None))
        tasks.append({**to_view(row, project.key), "ccpm": _source(path, meta)})
        keys[row.id] = row.key
    files = await _files(session, pid, keys)
    epic_meta = await repo.epic_sources(session, pid)
    epic_rows = await repo.list_epics(session, pid)
    epic_list = []
    for epic, out in zip(epic_rows, await epics.describe(session, epic_rows), strict=True):
        ccpm = _epic_source(epic_meta.get(epic.id), files.get(epic.id, []))
        epic_list.append({**out.model_dump(), "ccpm": ccpm})
    head = {
        "key": project.key,
        "name": project.name,
        "description": project.description,
        "created_at": project.created_at,
    }
    return {"project": head, "epics": epic_list, "tasks": tasks}

"""Import and export of a whole project: ccpm markdown (archive or folder) and the JSON bundle.

The API and the CLI call these. An import reads and checks everything first (files, refs, the
graph) and writes only when all of it is valid, in bulk, in the caller's transaction.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.epics import service as epics
from epicflow.markdown import ArchiveLimits, MarkdownError, render_tree
from epicflow.platform.errors import Conflict
from epicflow.projects import service as projects
from epicflow.projects.rules import Role
from epicflow.projects.service import ProjectAccess
from epicflow.tasks.views import to_view
from epicflow.transfer import repository as repo
from epicflow.transfer.markdown_in import line_hint
from epicflow.transfer.markdown_out import documents
from epicflow.transfer.model import Meta, Upload
from epicflow.transfer.plan import Plan, Planner
from epicflow.transfer.reading import read_files, read_upload
from epicflow.transfer.schemas import ImportCounts, ImportReport
from epicflow.transfer.writer import Progress, apply_plan, no_progress

DEFAULT_LIMITS = ArchiveLimits()


async def import_upload(
    session: AsyncSession,
    access: ProjectAccess,
    data: bytes,
    filename: str,
    *,
    dry_run: bool,
    now: datetime,
    limits: ArchiveLimits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import a zip or tar.gz of ccpm epics, or a JSON bundle (told apart by content)."""
    access.require(Role.admin)
    upload, files = read_upload(data, filename, limits, progress)
    return await _import(session, access, upload, files, dry_run, now, progress)


async def import_files(
    session: AsyncSession,
    access: ProjectAccess,
    files: Mapping[str, bytes],
    source: str,
    *,
    dry_run: bool,
    now: datetime,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import epic and task files read from a folder (``markdown.read_folder``)."""
    access.require(Role.admin)
    upload = read_files(files, source, progress)
    return await _import(session, access, upload, files, dry_run, now, progress)


def _report(plan: Plan, dry_run: bool) -> ImportReport:
    created, updated, unchanged = ImportCounts(), ImportCounts(), ImportCounts()
    for kind, plans in (("epics", plan.epics), ("tasks", plan.tasks)):
        for item in plans:
            counts = created if item.created else updated if item.changed else unchanged
            setattr(counts, kind, getattr(counts, kind) + 1)
    tasks = {item.spec.name: item.key for item in plan.tasks}
    return ImportReport(
        dry_run=dry_run, created=created, updated=updated, unchanged=unchanged, tasks=tasks
    )


async def _import(
    session: AsyncSession,
    access: ProjectAccess,
    upload: Upload,
    files: Mapping[str, bytes],
    dry_run: bool,
    now: datetime,
    progress: Progress,
) -> ImportReport:
    await projects.lock_graph(session, access)
    snapshot = await repo.load_snapshot(session, access.project.id, access.project.key)
    plan = Planner(upload, snapshot, partial(line_hint, files)).plan(now)
    report = _report(plan, dry_run)
    if not dry_run:
        counts = report.model_dump(include={"created", "updated", "unchanged"})
        await apply_plan(session, access, plan, now, counts, progress)
    return report


async def export_files(session: AsyncSession, access: ProjectAccess) -> dict[str, str]:
    """The project as ccpm files: ``{"epics/<slug>/epic.md": text, ...}``, sorted by path."""
    access.require(Role.viewer)
    snapshot = await repo.load_snapshot(session, access.project.id, access.project.key)
    epic_docs, task_docs = documents(snapshot)
    try:
        return render_tree(epic_docs, task_docs)
    except MarkdownError as exc:
        raise Conflict(
            f"The project cannot be written as ccpm markdown: {exc}",
            code="not_exportable",
            file=exc.file,
        ) from None


def tar_gz(files: Mapping[str, str], mtime: datetime) -> bytes:
    """A gzip-compressed tar of the files (tar.gz: 10,000 similar files compress far better
    in one stream than one by one in a zip)."""
    out = io.BytesIO()
    stamp = int(mtime.timestamp())
    with (
        gzip.GzipFile(fileobj=out, mode="wb", mtime=stamp) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), stamp, 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


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


async def export_bundle(
    session: AsyncSession, access: ProjectAccess, now: datetime
) -> dict[str, Any]:
    """``{project, epics, tasks}``: epics and tasks in their API shapes, plus ``ccpm``, what
    the markdown files carried that has no field (import takes the bundle back)."""
    access.require(Role.viewer)
    project = access.project
    pid = project.id
    epic_meta = await repo.epic_sources(session, pid)
    epic_rows = await repo.list_epics(session, pid)
    epic_list = []
    for epic, out in zip(epic_rows, await epics.describe(session, epic_rows), strict=True):
        meta = epic_meta.get(epic.id)
        ccpm = None if meta is None else {"github": meta.github, "extra": dict(meta.extra)}
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

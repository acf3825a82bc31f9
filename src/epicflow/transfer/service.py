"""Import and export of a whole project: ccpm markdown (archive or folder) and the JSON bundle.

The API and the CLI call these. An import reads and checks everything first (files, refs, the
graph) and writes only when all of it is valid, in bulk, in the caller's transaction:
``read`` -> ``plan`` -> ``write``; export reads the project and hands it to ``export``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.markdown import ArchiveLimits, Finding, MarkdownError, render_tree
from epicflow.markdown.errors import in_file_order
from epicflow.platform.errors import Conflict
from epicflow.projects import service as projects
from epicflow.projects.rules import Role
from epicflow.projects.service import ProjectAccess
from epicflow.tasks.schemas import MAX_EDGES
from epicflow.transfer import repository as repo
from epicflow.transfer.errors import problem
from epicflow.transfer.export.attachments import attachment_files, epic_folders, relocate
from epicflow.transfer.export.bundle import bundle
from epicflow.transfer.export.markdown import documents
from epicflow.transfer.plan.inputs import Snapshot, Upload
from epicflow.transfer.plan.planner import Plan, Planner, Refusals, Refused
from epicflow.transfer.read.markdown import line_hint
from epicflow.transfer.read.upload import read_files, read_upload
from epicflow.transfer.schemas import FileReport, ImportCounts, ImportFinding, ImportReport
from epicflow.transfer.write.apply import Progress, apply_plan, no_progress

DEFAULT_LIMITS = ArchiveLimits()
T = TypeVar("T")


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
    """Import epic and task files read from a folder (``read.upload.read_folder``)."""
    access.require(Role.admin)
    upload = read_files(files, source, progress)
    return await _import(session, access, upload, files, dry_run, now, progress)


def _report(
    plan: Plan, upload: Upload, dry_run: bool, warnings: tuple[Finding, ...]
) -> ImportReport:
    created, updated, unchanged = ImportCounts(), ImportCounts(), ImportCounts()
    for kind, plans in (("epics", plan.epics), ("tasks", plan.tasks)):
        for item in plans:
            counts = created if item.created else updated if item.changed else unchanged
            setattr(counts, kind, getattr(counts, kind) + 1)
    tasks = {item.spec.name: item.key for item in plan.tasks}
    files = [FileReport(path=e.path, kind=e.kind, reason=e.reason) for e in upload.entries]
    return ImportReport(
        dry_run=dry_run,
        created=created,
        updated=updated,
        unchanged=unchanged,
        tasks=tasks,
        files=files,
        warnings=[ImportFinding(**item.as_dict()) for item in warnings],
    )


def _warnings(upload: Upload, planner: Planner) -> tuple[Finding, ...]:
    return tuple(in_file_order([*upload.warnings, *planner.warnings]))


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
    planner = Planner(upload, snapshot, partial(line_hint, files), max_refs=MAX_EDGES)
    try:
        plan = planner.plan(now)
    except (Refused, Refusals) as refused:
        raise problem(refused, _warnings(upload, planner)) from None
    report = _report(plan, upload, dry_run, _warnings(upload, planner))
    if not dry_run:
        counts = report.model_dump(include={"created", "updated", "unchanged"})
        await apply_plan(session, access, plan, now, counts, progress, upload.files)
    return report


async def export_files(session: AsyncSession, access: ProjectAccess) -> dict[str, str | bytes]:
    """The project as ccpm files: ``{"epics/<slug>/epic.md": text or bytes, ...}``, sorted by
    path (archived epics under ``epics/archived/<slug>/``)."""
    access.require(Role.viewer)
    project = access.project
    snapshot = await repo.load_snapshot(session, project.id, project.key, written=True)
    docs = documents(snapshot)

    def written() -> dict[str, str | bytes]:
        files: dict[str, str | bytes] = {**render_tree(docs.epics, docs.tasks)}
        files |= docs.kept  # bytes as imported, where nothing has changed since
        return relocate(dict(sorted(files.items())), snapshot, _folders(snapshot))

    return _exportable(written)


async def export_attachments(session: AsyncSession, access: ProjectAccess) -> dict[str, bytes]:
    """The files beside the tasks, at the paths ``export_files`` puts their epics at."""
    access.require(Role.viewer)
    pid = access.project.id
    metas = await repo.epic_sources(session, pid)
    epics = [
        (epic.id, epic.slug, metas.get(epic.id)) for epic in await repo.list_epics(session, pid)
    ]
    folders = _exportable(lambda: epic_folders(epics))
    return attachment_files(await repo.epic_files(session, pid), folders)


def _folders(snapshot: Snapshot) -> dict[int, str]:
    epics = [(epic.id, epic.slug, epic.meta) for epic in snapshot.epics.values()]
    return _exportable(lambda: epic_folders(epics))


def _exportable(make: Callable[[], T]) -> T:
    try:
        return make()
    except MarkdownError as exc:
        raise Conflict(
            f"The project cannot be written as ccpm markdown: {exc}",
            code="not_exportable",
            file=exc.file,
        ) from None


async def export_bundle(
    session: AsyncSession, access: ProjectAccess, now: datetime
) -> dict[str, Any]:
    """``{project, epics, tasks}``: epics and tasks in their API shapes, plus ``ccpm``, what
    the markdown files carried that has no field (import takes the bundle back)."""
    access.require(Role.viewer)
    return await bundle(session, access, now)

"""`epicflow import` and `epicflow export`: an operator's way into and out of a project.

They call the services the API calls, in one transaction, as an operator: with full rights
(events name the actor `cli:<os user>`), or as the user `--as EMAIL` with that user's role.
Reading local files is trusted more than an upload: up to 100,000 files and 1 GiB (``CLI_LIMITS``,
whatever ``max_import_bytes`` says for HTTP), and only regular files and folders. `--create`
makes a missing project first, owned by the `--as` user (the operator is no stored user).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, get_args

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.ext.asyncio import AsyncSession

from epicflow.cli.errors import err, finding_line, readable_errors
from epicflow.cli.operator import NewProject, import_in_project, in_project
from epicflow.markdown import ArchiveLimits
from epicflow.platform.clock import utcnow
from epicflow.platform.schema import require_schema
from epicflow.projects.service import ProjectAccess
from epicflow.settings import get_settings
from epicflow.transfer import service
from epicflow.transfer.plan.inputs import FileKind
from epicflow.transfer.read.upload import read_file, read_folder
from epicflow.transfer.schemas import ImportReport

GiB = 1024**3
CLI_LIMITS = ArchiveLimits(
    max_upload_bytes=GiB, max_total_bytes=GiB, max_members=100_000, max_member_bytes=5 * 2**20
)
out = Console(highlight=False, markup=False, emoji=False)  # names and paths as written
MAX_SHOWN_WARNINGS = 50  # without --json; the JSON report lists them all
ProjectOption = Annotated[str, typer.Option("--project", "-p", help="The project key, e.g. WEB.")]
AsOption = Annotated[
    str | None, typer.Option("--as", help="Act as this user, with their role (default: operator).")
]
CreateOption = Annotated[
    bool,
    typer.Option("--create", help="Create the project if it does not exist, owned by --as."),
]
NameOption = Annotated[
    str | None, typer.Option("--name", help="With --create: the new project's name (its key).")
]


class ProgressBar:
    """Progress on standard error, shown once a stage counts more than a few hundred items."""

    MIN_ITEMS = 300

    def __init__(self) -> None:
        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self._stages: dict[str, TaskID] = {}
        self._started = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._started:
            self._bar.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total <= self.MIN_ITEMS:
            return
        if not self._started:
            self._bar.start()
            self._started = True
        if stage not in self._stages:
            self._stages[stage] = self._bar.add_task(stage, total=total)
        self._bar.update(self._stages[stage], completed=done, total=total)


class Format(StrEnum):
    markdown = "markdown"
    json = "json"


def _read(path: Path) -> tuple[dict[str, bytes] | None, bytes | None]:
    """A folder's epic files, or an archive or bundle file's bytes: nothing else (a pipe, a
    device), and nothing over the limits."""
    if path.is_dir():
        return read_folder(path, CLI_LIMITS), None
    return None, read_file(path, CLI_LIMITS.max_upload_bytes)


def _summary(report: ImportReport, key: str) -> None:
    verb = "Checked (dry run, nothing written)" if report.dry_run else "Imported into"
    out.print(f"{verb} {key}:")
    for kind in ("epics", "tasks"):
        counts = [
            getattr(getattr(report, what), kind) for what in ("created", "updated", "unchanged")
        ]
        out.print(f"  {kind}: {counts[0]} created, {counts[1]} updated, {counts[2]} unchanged")
    if report.files:
        kinds = Counter(item.kind for item in report.files)
        listed = ", ".join(f"{kinds[kind]} {kind}" for kind in get_args(FileKind))
        out.print(f"  files: {listed}")
    for item in report.files:
        if item.kind == "skipped":
            out.print(f"  skipped {item.path}: {item.reason}")
    shown = report.warnings[:MAX_SHOWN_WARNINGS]
    for warning in shown:
        err.print(f"warning: {finding_line(warning.model_dump())}")
    if len(report.warnings) > len(shown):
        err.print(f"({len(report.warnings) - len(shown)} more warnings: --json lists them)")


def import_command(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            help="A folder holding epics/ or .claude/epics/, an epic folder, a zip or tar.gz, "
            "or a JSON bundle.",
        ),
    ],
    project: ProjectOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report only.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    as_user: AsOption = None,
    create: CreateOption = False,
    name: NameOption = None,
) -> None:
    """Import ccpm epics (or a JSON bundle) into a project: all or nothing."""
    with readable_errors(as_json), ProgressBar() as bar:
        require_schema(get_settings().database_url)
        new = NewProject.checked(project, name, as_user) if create else None
        files, data = _read(path)

        async def work(session: AsyncSession, access: ProjectAccess) -> ImportReport:
            options: dict[str, Any] = {"dry_run": dry_run, "now": utcnow(), "progress": bar}
            if files is not None:
                return await service.import_files(session, access, files, path.name, **options)
            assert data is not None
            return await service.import_upload(
                session, access, data, path.name, limits=CLI_LIMITS, **options
            )

        report, created = asyncio.run(
            import_in_project(project, as_user, new, work, dry_run=dry_run)
        )
    if as_json:
        shown = report.model_dump()
        if created and new is not None:
            shown["created_project"] = {"key": new.key, "name": new.name, "owner": new.owner}
        typer.echo(json.dumps(shown, indent=2))
        return
    if created and new is not None:
        verb = "Would create" if dry_run else "Created"
        out.print(f"{verb} project {new.key} ({new.name}), owned by {new.owner}.")
    _summary(report, project)


def _write_tree(files: dict[str, str | bytes], folder: Path, force: bool) -> None:
    if not force and (folder / "epics").exists() and any((folder / "epics").iterdir()):
        raise FileExistsError(f"{folder / 'epics'} is not empty; use --force to write over it")
    for name, text in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)


async def _export_tree(
    session: AsyncSession, access: ProjectAccess
) -> tuple[dict[str, str | bytes], dict[str, bytes]]:
    """The epic and task files (text rendered, or bytes kept as written), and the files beside
    the tasks, read in one transaction."""
    return (
        await service.export_files(session, access),
        await service.export_attachments(session, access),
    )


def _write_file(data: bytes, path: Path, force: bool) -> None:
    if str(path) == "-":
        typer.echo(data.decode())
        return
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; use --force to write over it")
    path.write_bytes(data)


def export_command(
    project: ProjectOption,
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="markdown: a folder (epics/ is written in it); "
            "json: a file, or - for standard output.",
        ),
    ],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="markdown or json.")
    ] = Format.markdown,
    force: Annotated[bool, typer.Option("--force", help="Write over existing files.")] = False,
    as_user: AsOption = None,
) -> None:
    """Export a project as ccpm markdown files or as a JSON bundle."""
    with readable_errors():
        require_schema(get_settings().database_url)
        beside: dict[str, bytes] = {}
        if format is Format.json:
            bundle = asyncio.run(
                in_project(project, as_user, lambda s, a: service.export_bundle(s, a, utcnow()))
            )
            data = orjson.dumps(bundle, option=orjson.OPT_UTC_Z | orjson.OPT_INDENT_2)
            _write_file(data + b"\n", out_path, force)
            epics, tasks = len(bundle["epics"]), len(bundle["tasks"])
        else:
            files, beside = asyncio.run(in_project(project, as_user, _export_tree))
            _write_tree({**files, **beside}, out_path, force)
            epics = sum(name.endswith("/epic.md") for name in files)
            tasks = len(files) - epics
    if str(out_path) != "-":
        extra = f", {len(beside)} files beside them" if beside else ""
        out.print(f"Exported {project}: {epics} epics, {tasks} tasks{extra} to {out_path}")

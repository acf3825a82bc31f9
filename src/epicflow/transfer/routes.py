"""Import a ccpm epics archive or a JSON bundle into a project; export a project the same ways."""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Response, UploadFile

from epicflow.platform.context import ContextDep
from epicflow.platform.db import SessionDep
from epicflow.platform.openapi import responses
from epicflow.platform.responses import FastJSONResponse
from epicflow.projects.deps import ProjectMember
from epicflow.transfer import service
from epicflow.transfer.export.markdown import tar_gz
from epicflow.transfer.schemas import ImportReport

router = APIRouter(tags=["import and export"])
MAX_FILENAME_CHARS = 200
TAR_GZ = "application/gzip"


class ExportFormat(StrEnum):
    markdown = "markdown"
    json = "json"


def _filename(upload: UploadFile) -> str:
    """The upload's own name (no folders), to name it in errors."""
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    return name[:MAX_FILENAME_CHARS] or "upload"


@router.post(
    "/projects/{key}/import",
    response_model=ImportReport,
    responses=responses(401, 403, 404, 409, 413, 422, 429),
)
async def import_project(
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    file: Annotated[
        UploadFile,
        File(description="A zip or tar.gz of ccpm epics, or a JSON bundle from the export."),
    ],
    dry_run: Annotated[bool, Query(description="Check and report; write nothing.")] = False,
) -> ImportReport:
    """Import ccpm markdown epics (`epics/<slug>/epic.md` and `001.md`... in a zip or tar.gz,
    at most 20 MiB) or a JSON bundle (admin or owner).

    All or nothing: every file is checked first; a bad file answers 422 naming `file` and `line`,
    a reference to a task that exists nowhere 422 `unknown_task`, a dependency cycle 409
    `dependency_cycle` with the `cycle`. Tasks are matched by their `key:` when it is one of this
    project's, else by the `<epic-slug>/<file>` path of an earlier import, so importing the same
    files again changes nothing. Status is restored as written. The report maps every task of
    the upload to its key; `dry_run=true` reports the same and writes nothing."""
    data = await file.read()
    return await service.import_upload(
        session, access, data, _filename(file), dry_run=dry_run, now=context.now()
    )


_EXPORT_CONTENT: dict[str, Any] = {
    TAR_GZ: {"schema": {"type": "string", "format": "binary"}},
    "application/json": {"schema": {"type": "object"}},
}


@router.get(
    "/projects/{key}/export",
    response_class=Response,
    responses={
        200: {"description": "The export", "content": _EXPORT_CONTENT},
        **responses(401, 404, 409, 422, 429),
    },
)
async def export_project(
    access: ProjectMember,
    session: SessionDep,
    context: ContextDep,
    format: Annotated[
        ExportFormat, Query(description="markdown: a tar.gz of `epics/`; json: the bundle")
    ] = ExportFormat.markdown,
) -> Response:
    """The whole project (viewer or above). `markdown`: a `.tar.gz` holding
    `epics/<slug>/epic.md` and `epics/<slug>/<nnn>.md` (tasks without an epic under
    `epics/unassigned/`), with every field kept in frontmatter so that importing it back
    changes nothing; the files that were beside the tasks come back at their paths, and
    archived epics under `epics/archived/`. `json`: `{project, epics, tasks}` in the API's
    shapes, which import takes."""
    key = access.project.key
    if format is ExportFormat.json:
        bundle = await service.export_bundle(session, access, context.now())
        disposition = f'attachment; filename="{key}.json"'
        return FastJSONResponse(bundle, headers={"Content-Disposition": disposition})
    files: dict[str, str | bytes] = {**await service.export_files(session, access)}
    files |= await service.export_attachments(session, access)
    data = tar_gz(dict(sorted(files.items())), context.now())
    disposition = f'attachment; filename="{key}-epics.tar.gz"'
    return Response(data, media_type=TAR_GZ, headers={"Content-Disposition": disposition})

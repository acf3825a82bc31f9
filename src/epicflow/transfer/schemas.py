"""The import report, and the JSON bundle and file contents as import checks them (the same caps
as the task API), with the column values each checked model stands for."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
)

from epicflow.epics.schemas import EpicStatus
from epicflow.markdown import MAX_FILE_BYTES
from epicflow.markdown.beside import path_problem
from epicflow.platform.types import LongText, RequestModel, Slug, TaskKey, Title
from epicflow.tasks.schemas import (
    MAX_CHECKS,
    MAX_LABELS,
    Checks,
    Estimate,
    Keys,
    Labels,
    Links,
    Priority,
    TaskStatus,
)
from epicflow.transfer.plan.inputs import FileKind

MAX_BUNDLE_EPICS = 10_000
MAX_BUNDLE_TASKS = 100_000
MAX_EXTRA_KEYS = 100
MAX_EPIC_FILES = 5000  # an archive's member cap

SourcePath = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*/[0-9]{1,10}$", max_length=120)
]
ExtraKey = Annotated[str, StringConstraints(min_length=1, max_length=100)]
AssigneeText = Annotated[str, StringConstraints(min_length=1, max_length=254)]


class ImportCounts(BaseModel):
    epics: int = 0
    tasks: int = 0


class ImportFinding(BaseModel):
    """An error or a warning of an import, in a file (and line) of the upload."""

    file: str
    line: int | None
    field: str
    code: str
    message: str


class FileReport(BaseModel):
    """A file of the upload: read as an ``epic`` or a ``task``, kept as an ``attachment`` (a
    file beside the tasks), or ``skipped``, with the ``reason``."""

    path: str
    kind: FileKind
    reason: str | None = None


class ImportReport(BaseModel):
    """What an import did (or, with ``dry_run``, would do).

    ``tasks`` maps each task of the upload to its key: ``"<epic-slug>/<file stem>"`` for
    markdown, the task's key in the bundle for JSON. In a dry run the keys of new tasks are the
    ones the next real import would hand out, unless other tasks are created in between.
    ``files`` lists every file of a markdown upload, by path (empty for a JSON bundle).
    """

    dry_run: bool
    created: ImportCounts
    updated: ImportCounts
    unchanged: ImportCounts
    tasks: dict[str, str]
    files: list[FileReport] = Field(default_factory=list)
    # What was read leniently (docs/ccpm.md, "Warnings"): the import went ahead.
    warnings: list[ImportFinding] = Field(default_factory=list)


class TaskContent(RequestModel):
    """A task's own fields, checked with the caps of the task API."""

    title: Title
    status: TaskStatus = TaskStatus.open
    priority: Priority = 2
    labels: Labels = Field(default_factory=list)
    description: LongText = ""
    tdd_requirements: LongText = ""
    technical_details: LongText = ""
    acceptance_criteria: Checks = Field(default_factory=list)
    definition_of_done: Checks = Field(default_factory=list)
    estimate: Estimate = Field(default_factory=Estimate)
    parallel: bool = True


# Markdown has been through the parser's character checks (no control characters other than tab
# and newline, no lone surrogates), so its fields skip the API types' per-character scan (the
# slow part of validating 10,000 tasks) and keep their limits: the same lengths, counts and
# shapes, and no tab where the API takes one line.
_OneLine = r"^[^\t]*$"
MdTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_OneLine)
]
MdText = Annotated[str, StringConstraints(max_length=100_000)]
MdLabel = Annotated[str, StringConstraints(min_length=1, max_length=50, pattern=r"^[^\s,]+$")]
MdItem = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=_OneLine)
]


class MdCheck(RequestModel):
    text: MdItem
    done: bool = False


class MarkdownTaskContent(RequestModel):
    """``TaskContent`` for text the markdown parser has already checked character by character."""

    title: MdTitle
    status: TaskStatus = TaskStatus.open
    priority: Priority = 2
    labels: Annotated[list[MdLabel], Field(max_length=MAX_LABELS)] = Field(default_factory=list)
    description: MdText = ""
    tdd_requirements: MdText = ""
    technical_details: MdText = ""
    acceptance_criteria: Annotated[list[MdCheck], Field(max_length=MAX_CHECKS)] = Field(
        default_factory=list
    )
    definition_of_done: Annotated[list[MdCheck], Field(max_length=MAX_CHECKS)] = Field(
        default_factory=list
    )
    estimate: Estimate = Field(default_factory=Estimate)
    parallel: bool = True


class EpicContent(RequestModel):
    title: Title
    description: LongText = ""
    status: EpicStatus = EpicStatus.backlog
    prd: LongText | None = None


class TaskSourceIn(RequestModel):
    """What the ccpm format carries that a task has no field for; kept for a lossless trip."""

    path: SourcePath | None = None
    github: LongText | None = None
    dependencies_note: LongText = ""
    extra: Annotated[dict[ExtraKey, LongText], Field(max_length=MAX_EXTRA_KEYS)] = Field(
        default_factory=dict
    )


def _base64(value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("data must be base64") from None


def _file_path(value: str) -> str:
    problem = path_problem(value)
    if problem is not None:
        raise ValueError(f"path {value!r} {problem}")
    return value


class BundleFile(RequestModel):
    """A file beside the tasks: its path in the epic's folder, the key of the task it belongs
    to (None: the epic's), its bytes as base64."""

    path: Annotated[str, AfterValidator(_file_path)]
    task: TaskKey | None = None
    data: Annotated[bytes, BeforeValidator(_base64), Field(max_length=MAX_FILE_BYTES)]


class EpicSourceIn(RequestModel):
    github: LongText | None = None
    extra: Annotated[dict[ExtraKey, LongText], Field(max_length=MAX_EXTRA_KEYS)] = Field(
        default_factory=dict
    )
    files: Annotated[list[BundleFile], Field(max_length=MAX_EPIC_FILES)] = Field(
        default_factory=list
    )


class BundleTask(TaskContent):
    """A task as ``export?format=json`` writes it. Server-owned members (``version``,
    ``claimed_by``, ``ready``...) are accepted and ignored."""

    key: TaskKey
    epic: Slug | None = None
    assignee: AssigneeText | None = None
    depends_on: Keys = Field(default_factory=list)
    conflicts_with: Keys = Field(default_factory=list)
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    started_at: AwareDatetime | None = None
    completed_at: AwareDatetime | None = None
    ccpm: TaskSourceIn | None = None
    project: Any = None
    claimed_by: Any = None
    lease_expires_at: Any = None
    version: Any = None
    ready: Any = None
    blocked_by: Any = None
    waiting_on: Any = None
    held: Any = None
    links: Links = Field(default_factory=list)


class BundleEpic(EpicContent):
    slug: Slug
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None
    ccpm: EpicSourceIn | None = None
    counts: Any = None
    progress: Any = None
    hours_total: Any = None
    hours_done: Any = None


# Members export writes and import does not read (server-owned, derived): typed ``Any``.
NOT_READ = frozenset(
    name
    for model in (BundleTask, BundleEpic)
    for name, info in model.model_fields.items()
    if info.annotation is Any
)


class Bundle(RequestModel):
    """``{project, epics, tasks}``; ``project`` says where it came from and is not imported."""

    project: Any = None
    epics: Annotated[list[BundleEpic], Field(max_length=MAX_BUNDLE_EPICS)] = Field(
        default_factory=list
    )
    tasks: Annotated[list[BundleTask], Field(max_length=MAX_BUNDLE_TASKS)] = Field(
        default_factory=list
    )


def task_content(model: TaskContent | MarkdownTaskContent) -> dict[str, Any]:
    """A checked task's own fields as the columns of ``task`` hold them."""
    return {
        "title": model.title,
        "status": model.status.value,
        "priority": model.priority,
        "description": model.description,
        "tdd_requirements": model.tdd_requirements,
        "technical_details": model.technical_details,
        "acceptance_criteria": [item.model_dump() for item in model.acceptance_criteria],
        "definition_of_done": [item.model_dump() for item in model.definition_of_done],
        "estimate_size": model.estimate.size,
        "estimate_hours": model.estimate.hours,
        "parallel": model.parallel,
    }


def epic_content(model: EpicContent) -> dict[str, Any]:
    return {
        "title": model.title,
        "description": model.description,
        "status": model.status.value,
        "prd": model.prd,
    }

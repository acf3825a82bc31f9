"""The planner's inputs as plain data: what an upload says (``Upload``: specs of epics and tasks)
and what the project holds (``Snapshot``), and how a ccpm file writes a time. No I/O.

Both readers (markdown, JSON bundle) turn an upload into specs; the planner compares specs with
the snapshot; the writer applies the plan; markdown export writes the snapshot out. Task contents
use the column names of ``task``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from epicflow.markdown import Finding
from epicflow.markdown.mapping import GithubMapping

EPIC_CONTENT = ("title", "description", "status", "prd")
TIME_FIELDS = ("created_at", "updated_at", "started_at", "completed_at")
# Extra frontmatter keys export writes for fields the ccpm format lacks.
STARTED, COMPLETED, PROGRESS = "started", "completed", "progress"
# The key under which ``Meta.extra`` keeps how a file was written (``Form``, the effort section
# as written), as JSON text. A control character: no frontmatter key can hold one (the markdown
# reader refuses them), so it never meets a key of the file's own; a JSON bundle carries it.
FORM = "\x1fform"
# The key under which an epic's ``Meta.extra`` says it was read from ``archived/<slug>/`` (and
# is written back there), reserved the same way.
ARCHIVED = "\x1farchived"
RESERVED_KEYS = frozenset({FORM, ARCHIVED})


@dataclass(frozen=True)
class Meta:
    """What ccpm carries and epicflow has no column for (``github:``, unknown keys...), and
    the file's bytes as written with their check (``plan.written``; None: not given, keep)."""

    github: str | None = None
    dependencies_note: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    written: bytes | None = None
    written_check: str | None = None

    def is_empty(self) -> bool:
        return (
            self.github is None
            and not self.dependencies_note
            and not self.extra
            and self.written is None
        )


@dataclass(frozen=True)
class TaskSpec:
    """One task of an upload.

    ``name`` is unique in the upload and is the report key (``pay/003``, or the task's key in a
    JSON bundle); ``depends_on`` / ``conflicts_with`` hold names of the same kind, and
    ``refs_written`` the same refs as a file wrote them (``3``, ``other/003``), by field (markdown
    only). ``times`` holds the timestamps the upload gives; ``meta`` / ``path`` None mean "not
    given, keep".
    """

    name: str
    file: str
    where: str
    epic: str | None
    key: str | None
    path: str | None
    content: dict[str, Any]
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    depends_on: tuple[str, ...] = ()
    conflicts_with: tuple[str, ...] = ()
    times: Mapping[str, datetime | None] = field(default_factory=dict)
    meta: Meta | None = None
    from_markdown: bool = True
    refs_written: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def number_hint(self) -> int | None:
        """The number of the key it was exported with: new tasks keep that order."""
        if self.key is None:
            return None
        tail = self.key.rsplit("-", 1)[-1]
        return int(tail) if tail.isdigit() else None


@dataclass(frozen=True)
class EpicSpec:
    """One epic of an upload; ``content`` None: a folder without ``epic.md`` (keep or create)."""

    slug: str
    file: str
    content: dict[str, Any] | None
    times: Mapping[str, datetime | None] = field(default_factory=dict)
    meta: Meta | None = None
    from_markdown: bool = True


def default_epic_content(slug: str) -> dict[str, Any]:
    """An epic folder without ``epic.md`` names an epic that has nothing else to say."""
    return {"title": slug, "description": "", "status": "backlog", "prd": None}


@dataclass(frozen=True)
class FileSpec:
    """A file beside the tasks: ``path`` in its epic's folder, ``task`` the name of the task
    it belongs to (a ``TaskSpec.name``, or a task key of the project), None: the epic's."""

    epic: str
    path: str
    task: str | None
    data: bytes


# What became of a file of an upload: read as an epic or a task, kept beside them, or not read.
FileKind = Literal["epic", "task", "attachment", "skipped"]


@dataclass(frozen=True)
class FileEntry:
    """One file of the upload and what became of it, for the report."""

    path: str
    kind: FileKind
    reason: str | None = None


@dataclass(frozen=True)
class Upload:
    epics: tuple[EpicSpec, ...]
    tasks: tuple[TaskSpec, ...]
    # How a name that is not in the upload is looked up in the project: markdown names are
    # paths (`pay/003`), bundle names are task keys.
    refs_by: Literal["path", "key"]
    # What was read leniently (markdown only), reported with the import's answer.
    warnings: tuple[Finding, ...] = ()
    files: tuple[FileSpec, ...] = ()
    entries: tuple[FileEntry, ...] = ()  # every file of a markdown upload, by path
    # Each epic folder's github-mapping.md, by slug (markdown only): how refs written before a
    # GitHub sync find their tasks.
    mappings: Mapping[str, GithubMapping] = field(default_factory=dict)


@dataclass
class StoredTask:
    id: int
    key: str
    number: int
    epic_id: int | None
    content: dict[str, Any]
    labels: tuple[str, ...]
    assignee_id: uuid.UUID | None
    times: dict[str, datetime | None]
    version: int
    claim: dict[str, Any]
    path: str | None = None
    meta: Meta | None = None  # None: no source row


@dataclass
class StoredEpic:
    id: int
    slug: str
    content: dict[str, Any]
    times: dict[str, datetime | None]
    meta: Meta | None = None


@dataclass
class Snapshot:
    """Everything of one project that import and export look at, loaded in a few queries."""

    project_key: str
    counter: int
    tasks: dict[int, StoredTask]
    epics: dict[int, StoredEpic]
    deps: dict[int, set[int]]
    conflicts: dict[int, set[int]]
    emails: dict[uuid.UUID, str]  # members and current assignees
    members: frozenset[uuid.UUID]

    def epic_slug(self, epic_id: int | None) -> str | None:
        return None if epic_id is None else self.epics[epic_id].slug


def parse_time(text: str) -> datetime:
    """ISO 8601 text as written in a file; a date or a naive time is read as UTC.

    Raises ValueError for text that is not a time, or one that falls outside years 1-9999 once
    moved to UTC (``0001-01-01T00:00+01:00``)."""
    try:
        value = datetime.fromisoformat(text)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is out of range") from None


def format_time(value: datetime) -> str:
    """``2025-08-01T09:30:00Z``; fractions of a second only when there are some. (isoformat,
    not strftime: strftime writes the year 1 as ``1``, which no reader takes back.)"""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")

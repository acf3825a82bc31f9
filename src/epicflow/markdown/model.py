"""Parsed epics and tasks, and the vocabulary of the ccpm format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TASK_STATUSES = ("open", "in_progress", "blocked", "done", "cancelled")
EPIC_STATUSES = ("backlog", "in_progress", "completed", "cancelled")
SIZES = ("XS", "S", "M", "L", "XL")
MAX_TITLE_CHARS = 200
MAX_HOURS = 10_000.0
UNASSIGNED = "unassigned"

# Frontmatter keys with a meaning (matched case-insensitively); any other key is kept in `extra`.
TASK_FIELDS = frozenset(
    {
        "name",
        "status",
        "epicflow_status",
        "created",
        "updated",
        "github",
        "depends_on",
        "parallel",
        "conflicts_with",
        "key",
        "priority",
        "labels",
        "assignee",
        # Forks of ccpm write these for `name` and `depends_on`.
        "title",
        "dependencies",
    }
)
EPIC_FIELDS = frozenset(
    {"name", "title", "status", "epicflow_status", "created", "updated", "prd", "github"}
)

# Spellings seen in the wild, after lower-casing and turning spaces and dashes into "_".
# ccpm's own words, and the ones SPEC §6 names:
_TASK_STATUS_WORDS = {
    "open": "open",
    "in_progress": "in_progress",
    "blocked": "blocked",
    "closed": "done",
    "done": "done",
    "completed": "done",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}
# The words forks of ccpm write (docs/ccpm.md, "Statuses and keys"): read with a warning.
TASK_STATUS_FORKS = {
    "pending": "open",
    "backlog": "open",
    "not_started": "open",
    "todo": "open",
    "complete": "done",
    "skipped": "cancelled",
    # Work begun and not finished: what in_progress means here.
    "partial": "in_progress",
}
TASK_STATUS_SPELLINGS = _TASK_STATUS_WORDS | TASK_STATUS_FORKS
EPIC_STATUS_FORKS = {"complete": "completed"}
EPIC_STATUS_SPELLINGS = {
    "backlog": "backlog",
    "in_progress": "in_progress",
    "completed": "completed",
    "done": "completed",
    "closed": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
} | EPIC_STATUS_FORKS
# What export writes: ccpm's own spelling, plus `epicflow_status` where ccpm has no word.
TASK_STATUS_EXPORT: dict[str, tuple[str, str | None]] = {
    "open": ("open", None),
    "in_progress": ("in-progress", None),
    "blocked": ("open", "blocked"),
    "done": ("closed", None),
    "cancelled": ("closed", "cancelled"),
}
EPIC_STATUS_EXPORT: dict[str, tuple[str, str | None]] = {
    "backlog": ("backlog", None),
    "in_progress": ("in-progress", None),
    "completed": ("completed", None),
    "cancelled": ("completed", "cancelled"),
}
PRIORITY_WORDS = {
    "critical": 0,
    "urgent": 0,
    "highest": 0,
    "high": 1,
    "medium": 2,
    "normal": 2,
    "low": 3,
    "lowest": 4,
    "backlog": 4,
}

REF = re.compile(r"[0-9]{1,10}\Z")
SLUG = re.compile(r"(?=.{1,100}\Z)[a-z0-9]+(?:-[a-z0-9]+)*\Z")
REF_ENTRY = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*/)?[0-9]{1,10}\Z")


def status_key(text: str) -> str:
    return re.sub(r"[\s-]+", "_", text.strip().lower())


def spellings(table: dict[str, str]) -> str:
    """The accepted words, for an error message."""
    return ", ".join(table)


@dataclass(frozen=True)
class Form:
    """How a file wrote what carries no meaning of its own, so that export writes it back as it
    came. The defaults are what export writes; a value is kept only where the file differs.

    ``layout``: ``frontmatter``, ``yaml`` (a fenced yaml block under the heading) or ``none``;
    ``status``: the status word as written (used while it still means the current status);
    ``title_key``: ``name``, ``title`` or ``name+title`` (both, agreeing); ``depends_key``:
    ``depends_on`` or ``dependencies``;
    ``heading`` / ``name``: the title heading and ``name:`` as written (used while the title
    they give is unchanged); ``completed``: ``completed:`` written as null (``null``, ``~``,
    nothing); ``headings``: (section key, heading line) for each section read under another
    heading than its own (``## Success Criteria``), written back while it reads as that section;
    ``newline``: the line end (``"\r\n"``, ``"\r"``); ``bom``: a UTF-8 byte order
    mark; ``items``: checklist items as written, where not as export writes them (section key,
    item number, line), each used while the item says the same.
    """

    layout: str = "frontmatter"
    status: str | None = None
    title_key: str = "name"
    depends_key: str = "depends_on"
    heading: str | None = None
    name: str | None = None
    completed: str | None = None
    headings: tuple[tuple[str, str], ...] = ()
    newline: str = "\n"
    bom: bool = False
    items: tuple[tuple[str, int, str], ...] = ()


@dataclass(frozen=True)
class Check:
    """One checklist item: ``- [ ] text`` or ``- [x] text``."""

    text: str
    done: bool = False


@dataclass(frozen=True)
class Kept:
    """Markdown of a task body that epicflow has no field for, kept as written and written back
    where it was (docs/ccpm.md, "Sections").

    ``after``: the known section it follows, by key (``"description"``, ``"effort"``...), or
    ``""`` for before the first known section; ``text``: its lines as written, without leading
    or trailing blank lines for a whole section (its ``## `` heading is the first line);
    ``at``: ``None`` for a whole unknown section, else the text sits inside the checklist
    section ``after`` and comes before its item number ``at`` (after all items when past them).
    """

    after: str
    text: str
    at: int | None = None


@dataclass(frozen=True)
class EpicDoc:
    """An epic as written in ``epics/<slug>/epic.md``. Timestamps are kept as written (ISO 8601
    text); ``extra`` holds frontmatter keys epicflow has no field for (ccpm's ``progress``...)."""

    slug: str
    title: str
    description: str = ""
    status: str = "backlog"
    prd: str | None = None
    github: str | None = None
    created: str | None = None
    updated: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # How it was written, not what it says: two docs that say the same are equal.
    form: Form = field(default=Form(), compare=False)


@dataclass(frozen=True)
class TaskDoc:
    """A task as written in ``epics/<slug>/<ref>.md``; ``ref`` is the file stem (``"001"``).

    ``depends_on`` / ``conflicts_with`` hold refs as written: ``"002"`` (a task file of the same
    epic) or ``"other-epic/003"``. Section texts are markdown without leading or trailing blank
    lines (see ``normalize_text``); ``extra`` holds unknown frontmatter keys, values as text.
    ``effort_text`` is the ``## Effort Estimate`` section as written (notes, ranges, breakdowns)
    when it is not what epicflow writes for size, hours and parallel, else "" (see effort.py).
    ``kept`` holds unknown sections and the text among checklist items, in the order they are
    written back (see ``Kept``); they are content, so they count for equality.
    """

    ref: str
    title: str
    status: str = "open"
    priority: int = 2
    labels: tuple[str, ...] = ()
    assignee: str | None = None
    key: str | None = None
    description: str = ""
    tdd_requirements: str = ""
    technical_details: str = ""
    acceptance_criteria: tuple[Check, ...] = ()
    definition_of_done: tuple[Check, ...] = ()
    size: str | None = None
    hours: float | None = None
    parallel: bool = True
    depends_on: tuple[str, ...] = ()
    conflicts_with: tuple[str, ...] = ()
    created: str | None = None
    updated: str | None = None
    github: str | None = None
    dependencies_note: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    effort_text: str = ""
    kept: tuple[Kept, ...] = ()
    # How it was written, not what it says: two docs that say the same are equal.
    form: Form = field(default=Form(), compare=False)

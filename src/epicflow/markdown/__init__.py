"""The ccpm markdown task format: parse and render epics and tasks, read archives and folders.

Pure: the standard library and PyYAML only. ``archive`` works on bytes in memory; ``tree`` is
the one module that reads the file system (for the CLI). Every bad input raises
``MarkdownError(file, line, message)``.
"""

from epicflow.markdown.archive import ArchiveLimits, read_archive
from epicflow.markdown.beside import Attachment, Skipped
from epicflow.markdown.collect import EpicFolder, Tree, collect_tree, render_tree
from epicflow.markdown.epic import parse_epic, render_epic
from epicflow.markdown.errors import (
    MAX_FILE_BYTES,
    MAX_FRONTMATTER_BYTES,
    Finding,
    MarkdownError,
    MarkdownErrors,
    decode_text,
)
from epicflow.markdown.model import (
    EPIC_FIELDS,
    EPIC_STATUSES,
    MAX_HOURS,
    MAX_TITLE_CHARS,
    SIZES,
    TASK_FIELDS,
    TASK_STATUSES,
    UNASSIGNED,
    Check,
    EpicDoc,
    TaskDoc,
)
from epicflow.markdown.sections import normalize_text
from epicflow.markdown.task import parse_task
from epicflow.markdown.task_render import render_task
from epicflow.markdown.tree import read_folder

__all__ = [
    "EPIC_FIELDS",
    "EPIC_STATUSES",
    "MAX_FILE_BYTES",
    "MAX_FRONTMATTER_BYTES",
    "MAX_HOURS",
    "MAX_TITLE_CHARS",
    "SIZES",
    "TASK_FIELDS",
    "TASK_STATUSES",
    "UNASSIGNED",
    "ArchiveLimits",
    "Attachment",
    "Check",
    "EpicDoc",
    "EpicFolder",
    "Finding",
    "MarkdownError",
    "MarkdownErrors",
    "Skipped",
    "TaskDoc",
    "Tree",
    "collect_tree",
    "decode_text",
    "normalize_text",
    "parse_epic",
    "parse_task",
    "read_archive",
    "read_folder",
    "render_epic",
    "render_task",
    "render_tree",
]

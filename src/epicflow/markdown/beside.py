"""Files beside the tasks: everything in an epic folder that is not ``epic.md`` or a task file.

They are kept as *attachments*, as bytes (scripts and images need not be text), at their path
relative to the epic folder. Two kinds belong to one task of the folder, named by its number:
``updates/<n>/...`` (ccpm's progress notes) and ``<n>-analysis.md`` (its work-stream analysis);
``n`` matches the task file whose number it is (``updates/3/`` and ``updates/003/`` both name
``003.md``). Anything else belongs to the epic. Files outside every epic folder, and an archived
epic whose slug a live epic of the upload already has, are *skipped*, each with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from epicflow.markdown.errors import MAX_FILE_BYTES, MarkdownError, forbidden_char

ARCHIVED = "archived"  # ccpm moves finished epics to epics/archived/<slug>/
MAX_PATH_CHARS = 500  # of a path relative to its epic folder
OUTSIDE = "outside any epic folder"
NO_EPIC = "tasks without an epic keep no files"
SYSTEM_FILE = "a file the operating system made"
_TASK_FILE = re.compile(r"[0-9]{1,10}\.md\Z")
_JUNK = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_TIED = re.compile(r"(?:updates/([0-9]{1,10})/.+|([0-9]{1,10})-analysis\.md)\Z", re.S)


@dataclass(frozen=True)
class Attachment:
    path: str  # in the upload: "epics/pay/updates/3/progress.md"
    rel: str  # in the epic folder: "updates/3/progress.md"
    task: str | None  # the ref of the task it belongs to ("003"), None: the epic's


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


def is_epic_file(name: str) -> bool:
    """``epic.md`` or a task file (``001.md``): the files of an epic folder that are parsed."""
    return name == "epic.md" or _TASK_FILE.match(name) is not None


def is_junk(path: str) -> bool:
    """Finder and Explorer leftovers, which nobody wrote: never kept."""
    parts = path.split("/")
    return parts[-1] in _JUNK or parts[-1].startswith("._") or "__MACOSX" in parts


def clash(slug: str) -> str:
    return f"archived epic {slug} clashes with the live epic {slug} of the upload"


def task_of(rel: str, refs: Iterable[str]) -> str | None:
    """The ref of the task ``rel`` belongs to, if it names one of ``refs`` by number."""
    found = _TIED.match(rel)
    if found is None:
        return None
    number = found.group(1) or found.group(2)
    by_number = {int(ref): ref for ref in sorted(refs, reverse=True)}
    return number if number in set(refs) else by_number.get(int(number))


def path_problem(rel: str) -> str | None:
    """Why ``rel`` cannot be the path of a file beside the tasks (one a JSON bundle names, say),
    or None: it must stay inside the folder and not be a file that is parsed."""
    parts = rel.split("/")
    if len(rel) > MAX_PATH_CHARS:
        return f"is longer than {MAX_PATH_CHARS} characters"
    if forbidden_char(rel) is not None or "\\" in rel:
        return "holds a control character or a backslash"
    if any(part in ("", ".", "..") for part in parts) or is_junk(rel):
        return "must be a relative path inside the epic folder"
    if len(parts) == 1 and is_epic_file(rel):
        return "names epic.md or a task file, which are not kept as files"
    return None


def check_attachment(path: str, rel: str, size: int) -> None:
    """The caps of a task file hold for every file kept."""
    if size > MAX_FILE_BYTES:
        raise MarkdownError(path, None, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    if len(rel) > MAX_PATH_CHARS:
        raise MarkdownError(path, None, f"path is longer than {MAX_PATH_CHARS} characters")


def attachments(
    rels: Mapping[str, str], refs: Iterable[str], files: Mapping[str, bytes]
) -> tuple[Attachment, ...]:
    """``rels``: {path in the folder: path in the upload} of the folder's other files."""
    refs = tuple(refs)
    out = []
    for rel, path in sorted(rels.items()):
        check_attachment(path, rel, len(files[path]))
        out.append(Attachment(path, rel, task_of(rel, refs)))
    return tuple(out)

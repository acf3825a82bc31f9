"""Reading an epics folder from disk (for the CLI): the one module here that touches files.

``read_folder(path)`` accepts:
- a project folder holding ``epics/`` or ``.claude/epics/``: only that subtree is read, never
  the rest of the project;
- an epic folder itself (holding ``epic.md`` or ``001.md``): its files are keyed
  ``<folder name>/<file>``, so the folder name is the slug;
- the epics folder itself (subfolders holding such files): keyed ``<slug>/<file>``.

Every file under the epics folder (or the epic folder) is read, down to ``MAX_DEPTH`` folders:
an epic folder keeps the files beside its tasks (``markdown.beside``) and ``archived/<slug>/``
holds archived epics. Symlinks are followed only while they stay inside the folder; one that
points outside is an error, and so is an entry that is not a regular file (a FIFO would block
the read). The archive limits apply: member count, bytes per file, bytes in total.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from epicflow.markdown.archive import DEFAULT_LIMITS, ArchiveLimits
from epicflow.markdown.errors import MarkdownError

MAX_DEPTH = 8  # epics/archived/<slug>/updates/<n>/<file> is 5 deep
_EPIC_FILE = re.compile(r"(?:epic|[0-9]{1,10})\.md\Z")


class _Reader:
    def __init__(self, root: Path, limits: ArchiveLimits) -> None:
        self.root = root
        self.limits = limits
        self.files: dict[str, bytes] = {}
        self.total = 0

    def follow(self, path: Path, rel: str) -> os.stat_result:
        """Stat through symlinks, refusing any that leads out of the root folder."""
        if path.is_symlink() and not path.resolve().is_relative_to(self.root):
            raise MarkdownError(rel, None, "symlink escapes the folder")
        return path.stat()

    def walk(self, folder: Path, rel: str, depth: int) -> None:
        for entry in sorted(folder.iterdir()):
            entry_rel = f"{rel}/{entry.name}" if rel else entry.name
            info = self.follow(entry, entry_rel)
            if stat.S_ISDIR(info.st_mode):
                if depth > 1:
                    self.walk(entry, entry_rel, depth - 1)
            else:
                if not stat.S_ISREG(info.st_mode):
                    raise MarkdownError(entry_rel, None, "not a regular file")
                self.read(entry, entry_rel)

    def read(self, path: Path, rel: str) -> None:
        limits = self.limits
        if len(self.files) >= limits.max_members:
            raise MarkdownError(rel, None, f"more than {limits.max_members} files to read")
        with path.open("rb") as handle:
            data = handle.read(limits.max_member_bytes + 1)
        if len(data) > limits.max_member_bytes:
            raise MarkdownError(rel, None, f"file is larger than {limits.max_member_bytes} bytes")
        self.total += len(data)
        if self.total > limits.max_total_bytes:
            raise MarkdownError(rel, None, f"more than {limits.max_total_bytes} bytes in total")
        self.files[rel] = data


def _holds_epic_files(folder: Path) -> bool:
    return folder.is_dir() and any(_EPIC_FILE.match(child.name) for child in folder.iterdir())


def read_folder(path: Path, limits: ArchiveLimits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Read the epic folders' files under ``path``: ``{"epics/x/001.md": b"...", ...}``."""
    if not path.is_dir():
        raise MarkdownError(str(path), None, "not a folder")
    root = path.resolve()
    reader = _Reader(root, limits)
    found = False
    for sub in ("epics", ".claude/epics"):
        candidate = root / sub
        if candidate.is_dir():
            reader.follow(candidate, sub)
            reader.walk(candidate, sub, depth=MAX_DEPTH)
            found = True
    if found:
        return reader.files
    if any(_EPIC_FILE.match(child.name) for child in root.iterdir()):
        reader.walk(root, root.name, depth=MAX_DEPTH)
        return reader.files
    if any(_holds_epic_files(child) for child in root.iterdir()):
        reader.walk(root, "", depth=MAX_DEPTH)
        return reader.files
    raise MarkdownError(
        str(path),
        None,
        "no epics/ or .claude/epics/ folder here, and not an epic folder (no epic.md or 001.md)",
    )

"""The one reader of uploads: an upload's bytes (zip, tar.gz or JSON bundle, told apart by
content), a folder's files, or a folder on disk, to specs. The HTTP import, its dry run and the
CLI all read through here. Every bad input becomes a 422 naming the file and, when known, the
line."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path

from epicflow.markdown import (
    ArchiveLimits,
    MarkdownError,
    MarkdownErrors,
    collect_tree,
    read_archive,
)
from epicflow.markdown import read_folder as read_markdown_folder
from epicflow.transfer.errors import findings, invalid, markdown_error
from epicflow.transfer.plan.inputs import Upload
from epicflow.transfer.read.bundle import read_bundle
from epicflow.transfer.read.markdown import upload_of_tree

_JSON_START = b"{"
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
PARSING = "Parsing files"
Progress = Callable[[str, int, int], None]  # (stage, done, total), as the writer reports it


def _silent(_stage: str, _done: int, _total: int) -> None:
    return None


def is_json(data: bytes) -> bool:
    return data.removeprefix(_BOM).lstrip(_WHITESPACE).startswith(_JSON_START)


def read_files(files: Mapping[str, bytes], source: str, progress: Progress = _silent) -> Upload:
    """Epic and task files (``{"epics/x/001.md": b"..."}``) to specs."""
    progress(PARSING, 0, len(files))
    try:
        tree = collect_tree(files, source=source)
    except MarkdownErrors as exc:
        raise findings(exc.findings, exc.warnings, code="invalid_markdown") from None
    except MarkdownError as exc:
        raise markdown_error(exc) from None
    upload = upload_of_tree(tree, files)
    progress(PARSING, len(files), len(files))
    return upload


def read_folder(path: Path, limits: ArchiveLimits) -> dict[str, bytes]:
    """The epic and task files of a folder on disk (``epics/``, ``.claude/epics/``, or one
    epic's folder), for ``read_files``."""
    try:
        return read_markdown_folder(path, limits)
    except MarkdownError as exc:
        raise markdown_error(exc) from None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def read_file(path: Path, limit: int) -> bytes:
    """A regular file's bytes, refusing anything else (a pipe or a device would block or never
    end) and any file over ``limit`` bytes before reading it: never more than ``limit`` bytes
    in memory. The check is made on the open descriptor (opened without blocking, so a FIFO
    swapped in after a first look cannot hang us)."""
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise invalid(name, None, exc.strerror or "cannot be read", code="unreadable") from None
    with os.fdopen(fd, "rb", buffering=0) as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            message = f"not a regular file or folder ({_kind(info.st_mode)})"
            raise invalid(name, None, message, code="unsupported_upload")
        if info.st_size > limit:
            message = f"the file is larger than the import limit of {limit} bytes"
            raise invalid(name, None, message, code="too_large")
        data = handle.read(info.st_size)
        # A file that shrank or grew since fstat (one being written...) is refused, not cut.
        if len(data) != info.st_size or handle.read(1):
            raise invalid(name, None, "the file changed while it was read", code="unreadable")
    return data


def unpack(data: bytes, filename: str, limits: ArchiveLimits) -> dict[str, bytes]:
    if not data:
        raise invalid(filename, None, "the upload is empty", code="invalid_archive")
    try:
        return read_archive(data, filename, limits)
    except MarkdownError as exc:
        if exc.message == "not a zip or tar.gz archive":
            message = "not a zip or tar.gz archive, nor a JSON bundle"
            raise invalid(exc.file, None, message, code="unsupported_upload") from None
        raise markdown_error(exc, "invalid_archive") from None


def read_upload(
    data: bytes, filename: str, limits: ArchiveLimits, progress: Progress = _silent
) -> tuple[Upload, Mapping[str, bytes]]:
    """The one reader of an upload's bytes, whoever sent them: the specs, and the files they
    came from (none for a bundle) so that a later error can name a line. A leading BOM, as
    editors on Windows write, is not part of the JSON."""
    if is_json(data):
        return read_bundle(data.removeprefix(_BOM), filename), {}
    files = unpack(data, filename, limits)
    return read_files(files, filename, progress), files

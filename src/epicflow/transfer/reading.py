"""An upload's bytes (zip, tar.gz or JSON bundle, told apart by content) or a folder's files, to
specs. Every bad input becomes a 422 naming the file and, when known, the line."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from epicflow.markdown import ArchiveLimits, MarkdownError, collect_tree, read_archive
from epicflow.platform.errors import Invalid
from epicflow.transfer.bundle_in import read_bundle
from epicflow.transfer.markdown_in import upload_of_tree
from epicflow.transfer.model import Upload
from epicflow.transfer.specs import invalid

_JSON_START = b"{"
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
PARSING = "Parsing files"
Progress = Callable[[str, int, int], None]  # (stage, done, total), as the writer reports it


def _silent(_stage: str, _done: int, _total: int) -> None:
    return None


def markdown_error(exc: MarkdownError, code: str = "invalid_markdown") -> Invalid:
    return invalid(exc.file, exc.line, exc.message, code=code)


def is_json(data: bytes) -> bool:
    return data.removeprefix(_BOM).lstrip(_WHITESPACE).startswith(_JSON_START)


def read_files(files: Mapping[str, bytes], source: str, progress: Progress = _silent) -> Upload:
    """Epic and task files (``{"epics/x/001.md": b"..."}``) to specs."""
    progress(PARSING, 0, len(files))
    try:
        tree = collect_tree(files, source=source)
    except MarkdownError as exc:
        raise markdown_error(exc) from None
    upload = upload_of_tree(tree, files)
    progress(PARSING, len(files), len(files))
    return upload


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

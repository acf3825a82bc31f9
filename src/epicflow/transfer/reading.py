"""An upload's bytes (zip, tar.gz or JSON bundle, told apart by content) or a folder's files, to
specs. Every bad input becomes a 422 naming the file and, when known, the line."""

from __future__ import annotations

from collections.abc import Mapping

from epicflow.markdown import ArchiveLimits, MarkdownError, collect_tree, read_archive
from epicflow.platform.errors import Invalid
from epicflow.transfer.bundle_in import read_bundle
from epicflow.transfer.markdown_in import upload_of_tree
from epicflow.transfer.model import Upload
from epicflow.transfer.specs import invalid

_JSON_START = b"{"
_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def markdown_error(exc: MarkdownError, code: str = "invalid_markdown") -> Invalid:
    return invalid(exc.file, exc.line, exc.message, code=code)


def is_json(data: bytes) -> bool:
    return data.removeprefix(_BOM).lstrip(_WHITESPACE).startswith(_JSON_START)


def read_files(files: Mapping[str, bytes], source: str) -> Upload:
    """Epic and task files (``{"epics/x/001.md": b"..."}``) to specs."""
    try:
        tree = collect_tree(files, source=source)
    except MarkdownError as exc:
        raise markdown_error(exc) from None
    return upload_of_tree(tree, files)


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


def read_upload(data: bytes, filename: str, limits: ArchiveLimits) -> Upload:
    if is_json(data):
        return read_bundle(data.removeprefix(_BOM), filename)
    return read_files(unpack(data, filename, limits), filename)

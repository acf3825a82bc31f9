"""Unpacking an uploaded zip or tar.gz in memory, under limits, refusing anything unsafe.

Detection is by magic bytes (zip, gzip, or a plain ustar tar), never by file name. Limits are
enforced on the bytes actually inflated, not only on what headers declare: each member is read
in chunks and dropped past its limit, a zip's central directory is sized up before ``zipfile``
parses it, and a tar.gz is inflated through a budget (total limit plus header overhead) so that
neither a bomb member nor a bloated pax/long-name header can inflate more than that.

Refused, not skipped: absolute paths, drive letters, ``..``, symlinks, hard links, devices and
FIFOs, encrypted zip members, duplicate names. Directories are skipped. Names are normalized to
``a/b/c`` (backslashes become slashes, ``.`` and empty components dropped).
"""

from __future__ import annotations

import gzip
import io
import re
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import Protocol

from epicflow.markdown.errors import MarkdownError, forbidden_char

MiB = 1024 * 1024
_CHUNK = 64 * 1024
_DRIVE = re.compile(r"[A-Za-z]:")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError)
_TAR_ERRORS = (tarfile.TarError, zlib.error, EOFError, OSError)


class _Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class ArchiveLimits:
    """SPEC §9 defaults. The upload size is checked here too, though callers check it first."""

    max_upload_bytes: int = 20 * MiB
    max_total_bytes: int = 100 * MiB
    max_members: int = 5000
    max_member_bytes: int = 5 * MiB


DEFAULT_LIMITS = ArchiveLimits()


def _size(n: int) -> str:
    return f"{n / MiB:g} MiB" if n >= MiB else f"{n} bytes"


def _shown(name: str) -> str:
    return name if forbidden_char(name) is None else ascii(name)[1:-1]


def member_path(raw: str) -> str:
    """The normalized path of a member; '' for the archive root. Raises on unsafe names."""
    name = raw.replace("\\", "/")
    if forbidden_char(name) is not None:
        raise MarkdownError(_shown(raw), None, "member path holds control characters")
    if name.startswith("/") or _DRIVE.match(name):
        raise MarkdownError(raw, None, "absolute member path not allowed")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise MarkdownError(raw, None, "member path escapes the archive (..)")
    return "/".join(parts)


class _Collector:
    """Gathers member contents while counting members and bytes against the limits."""

    def __init__(self, filename: str, limits: ArchiveLimits) -> None:
        self.filename = filename
        self.limits = limits
        self.files: dict[str, bytes] = {}
        self.members = 0
        self.total = 0

    def count(self) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise MarkdownError(
                self.filename, None, f"archive has more than {self.limits.max_members} members"
            )

    def too_big(self) -> MarkdownError:
        limit = _size(self.limits.max_total_bytes)
        return MarkdownError(self.filename, None, f"archive unpacks to more than {limit}")

    def check_declared(self, raw: str, size: int) -> None:
        if size > self.limits.max_member_bytes:
            limit = _size(self.limits.max_member_bytes)
            raise MarkdownError(_shown(raw), None, f"archive member is larger than {limit}")
        if self.total + size > self.limits.max_total_bytes:
            raise self.too_big()

    def add(self, raw: str, path: str, stream: _Source) -> None:
        chunks, size = [], 0
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            self.check_declared(raw, size)
            chunks.append(chunk)
        if path in self.files:
            raise MarkdownError(_shown(raw), None, "duplicate archive member")
        self.total += size
        self.files[path] = b"".join(chunks)


def read_archive(
    data: bytes, filename: str, limits: ArchiveLimits = DEFAULT_LIMITS
) -> dict[str, bytes]:
    """Unpack a zip, tar.gz or tar held in memory: ``{"epics/x/001.md": b"...", ...}``."""
    if len(data) > limits.max_upload_bytes:
        raise MarkdownError(
            filename, None, f"archive is larger than {_size(limits.max_upload_bytes)}"
        )
    collector = _Collector(filename, limits)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        _read_zip(data, collector)
    elif data.startswith(b"\x1f\x8b"):
        source = gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb")
        _read_tar(source, collector)
    elif data[257:262] == b"ustar":
        _read_tar(io.BytesIO(data), collector)
    else:
        raise MarkdownError(filename, None, "not a zip or tar.gz archive")
    return collector.files


def _check_zip_directory(data: bytes, collector: _Collector) -> None:
    """Size up the central directory from its end record before zipfile builds all its entries."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        raise MarkdownError(collector.filename, None, "corrupt zip: no end of central directory")
    entries, directory_size = struct.unpack_from("<HI", data, end + 10)
    limit = collector.limits.max_members
    if entries > limit:
        raise MarkdownError(collector.filename, None, f"archive has more than {limit} members")
    if directory_size > limit * 1024 + 65_536:
        raise MarkdownError(collector.filename, None, "zip central directory is too large")


def _read_zip(data: bytes, collector: _Collector) -> None:
    _check_zip_directory(data, collector)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise MarkdownError(collector.filename, None, f"corrupt zip: {exc}") from None
    with archive:
        for info in archive.infolist():
            collector.count()
            path = member_path(info.filename)
            if info.is_dir() or not path:
                continue
            _check_zip_member(info)
            collector.check_declared(info.filename, info.file_size)
            try:
                with archive.open(info) as stream:
                    collector.add(info.filename, path, stream)
            except _ZIP_ERRORS as exc:
                raise MarkdownError(
                    _shown(info.filename), None, f"corrupt zip member: {exc}"
                ) from None


def _check_zip_member(info: zipfile.ZipInfo) -> None:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if kind not in (0, stat.S_IFREG):
        raise MarkdownError(_shown(info.filename), None, "archive member is not a regular file")
    if info.flag_bits & 0x1:
        raise MarkdownError(
            _shown(info.filename), None, "encrypted archive members are not supported"
        )


class _Budget(io.RawIOBase):
    """A reader that refuses to hand out more than ``budget`` bytes of inflated data."""

    def __init__(self, source: _Source, budget: int, collector: _Collector) -> None:
        super().__init__()
        self._source = source
        self._left = budget
        self._collector = collector

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self._source.read(min(len(view), _CHUNK, self._left + 1))
        self._left -= len(data)
        if self._left < 0:
            raise self._collector.too_big()
        view[: len(data)] = data
        return len(data)


def _read_tar(source: _Source, collector: _Collector) -> None:
    limits = collector.limits
    budget = limits.max_total_bytes + limits.max_members * 1536 + 20 * 1024
    reader = io.BufferedReader(_Budget(source, budget, collector), buffer_size=_CHUNK)
    try:
        with tarfile.open(fileobj=reader, mode="r|") as archive:
            for member in archive:
                collector.count()
                path = member_path(member.name)
                if member.isdir() or not path:
                    continue
                if not member.isreg() or member.issparse():
                    raise MarkdownError(
                        _shown(member.name), None, "archive member is not a regular file"
                    )
                collector.check_declared(member.name, member.size)
                stream = archive.extractfile(member)
                assert stream is not None
                collector.add(member.name, path, stream)
    except _TAR_ERRORS as exc:
        raise MarkdownError(collector.filename, None, f"corrupt tar archive: {exc}") from None

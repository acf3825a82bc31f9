"""The one error type of the package, and the checks every file goes through first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FRONTMATTER_BYTES = 64 * 1024

# Control characters other than tab and newline (C0, DEL, C1), lone surrogates, and the two
# non-characters YAML refuses. Line ends are LF by the time this runs (textfile.plain).
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Finding:
    """One thing an import found in a file: an error, or a warning (what was read leniently).

    ``field`` names the frontmatter key or section at fault ("" when none); ``code`` is stable
    for programs; ``str()`` reads like a compiler message: ``epics/x/003.md:4: ...``.
    """

    file: str
    line: int | None
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "code": self.code,
            "message": self.message,
        }


def in_file_order(findings: Iterable[Finding]) -> list[Finding]:
    """Findings by folder, then epic.md, then task files by number, then line."""

    def order(finding: Finding) -> tuple[str, int, int, str, int]:
        folder, _, name = finding.file.rpartition("/")
        stem = name.removesuffix(".md")
        number = int(stem) if stem.isdigit() else -1 if name == "epic.md" else 1 << 62
        return folder, number, 0, name, finding.line or 0

    return sorted(findings, key=order)


class MarkdownError(ValueError):
    """A bad file: which one, which line (1-based) when known, and what is wrong.

    ``str()`` reads like a compiler message: ``epics/x/003.md:4: depends_on must be a list``.
    """

    def __init__(
        self,
        file: str,
        line: int | None,
        message: str,
        *,
        field: str = "",
        code: str = "invalid_markdown",
    ) -> None:
        super().__init__(file, line, message)
        self.file = file
        self.line = line
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"

    def finding(self) -> Finding:
        return Finding(self.file, self.line, self.field, self.code, self.message)


class MarkdownErrors(MarkdownError):
    """Several bad files at once: every file is read, and each one's first error is kept. As a
    ``MarkdownError`` it names the first."""

    def __init__(self, findings: list[Finding], warnings: tuple[Finding, ...] = ()) -> None:
        first = findings[0]
        super().__init__(first.file, first.line, first.message, field=first.field, code=first.code)
        self.findings = findings
        self.warnings = warnings

    def __str__(self) -> str:
        return "\n".join(map(str, self.findings))


def line_of(text: str, index: int) -> int:
    """The 1-based line holding ``text[index]``."""
    return text.count("\n", 0, index) + 1


def decode_text(data: bytes, filename: str) -> str:
    """Decode one file's bytes as strict UTF-8, refusing what is clearly not a text file."""
    return decode_file(data, filename, legacy=False)[0]


# What a file that is not UTF-8 is read as: Windows-1252, as editors on Windows save text. It
# leaves five bytes undefined, so a file of other bytes is still refused rather than misread.
LEGACY_ENCODING = "cp1252"


def decode_file(data: bytes, filename: str, *, legacy: bool = True) -> tuple[str, Finding | None]:
    """One file's text, refusing what is clearly not a text file: UTF-8, or else (``legacy``)
    Windows-1252 with an ``encoding`` warning naming the line of the first byte that is not
    UTF-8."""
    if len(data) > MAX_FILE_BYTES:
        raise MarkdownError(filename, None, "file is larger than 5 MiB")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise MarkdownError(filename, None, "file is UTF-16; save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise MarkdownError(filename, line, "binary content (NUL byte), not a text file")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        start = exc.start
    line = data.count(b"\n", 0, start) + 1
    utf8 = MarkdownError(filename, line, f"not valid UTF-8 (byte offset {start})")
    if not legacy:
        raise utf8
    try:
        text = data.decode(LEGACY_ENCODING)
    except UnicodeDecodeError:
        raise utf8 from None
    message = (
        f"not UTF-8 (byte 0x{data[start]:02x} at offset {start}): read as Windows-1252; written "
        "back as it was while unchanged, in UTF-8 once edited"
    )
    return text, Finding(filename, line, "", "encoding", message)


def forbidden_char(text: str) -> tuple[int, str] | None:
    """The index and a description of the first character the format refuses, if any."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    return found.start(), "binary content (NUL byte)" if char == "\x00" else describe_char(char)


def describe_char(char: str) -> str:
    """What a refused character is, for a message."""
    if "\ud800" <= char <= "\udfff":
        return f"lone surrogate U+{ord(char):04X}"
    if char in "\ufffe\uffff":
        return f"non-character U+{ord(char):04X}"
    return f"control character U+{ord(char):04X}"


def check_chars(text: str, filename: str, first_line: int = 1) -> None:
    """Refuse control characters other than tab and newline, surrogates, U+FFFE and U+FFFF."""
    found = forbidden_char(text)
    if found is not None:
        index, what = found
        raise MarkdownError(filename, first_line - 1 + line_of(text, index), f"{what} not allowed")


def check_size(text: str, filename: str) -> None:
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        raise MarkdownError(filename, None, "file is larger than 5 MiB")

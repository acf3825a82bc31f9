"""A file's text as a whole, before it is parsed: its byte order mark, its line ends, and
terminal escape codes pasted into it (docs/ccpm.md, "Bytes").

A file is parsed with LF line ends and without its BOM; ``Form.newline`` and ``Form.bom`` keep
what it had, and ``as_written`` writes them back. Escape codes are removed (with a warning)."""

from __future__ import annotations

import re
from dataclasses import dataclass

BOM = "\ufeff"
LF, CRLF, CR = "\n", "\r\n", "\r"
NEWLINE_NAMES = {LF: "LF", CRLF: "CRLF", CR: "CR"}
# CRLF first: a CR right before an LF is not a line end of its own.
_LINE_END = re.compile(r"\r\n|\n|\r")
# A terminal's escape codes (colours and cursor moves, pasted with the text they coloured): a
# CSI sequence, an OSC one (on one line), or ESC and one more character of the same line.
_ESCAPE_CODE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\r\n]{0,200}(?:\x07|\x1b\\)|[^\r\n]?)"
)


@dataclass(frozen=True)
class Plain:
    """A file's text with LF line ends and no BOM, and what it had instead."""

    text: str
    newline: str = LF
    bom: bool = False


def line_ends(text: str) -> dict[str, int]:
    """How many lines end with each kind (counted in C: files reach 5 MiB)."""
    crlf = text.count(CRLF)
    return {LF: text.count(LF) - crlf, CRLF: crlf, CR: text.count(CR) - crlf}


def newline_of(text: str) -> str:
    """The line end a file uses most (LF when none, or on a tie with it; then CRLF)."""
    counts = line_ends(text)
    return max((LF, CRLF, CR), key=lambda end: counts[end])


def first_other_line_end(text: str, newline: str) -> tuple[int, str] | None:
    """(line, line end) of the first line that ends otherwise than with ``newline``."""
    counts = line_ends(text)
    if sum(counts.values()) == counts[newline]:
        return None
    for number, found in enumerate(_LINE_END.finditer(text), start=1):
        if found.group() != newline:
            return number, found.group()
    return None


def plain(text: str) -> Plain:
    """The text as the parser reads it: BOM dropped, every line end (CRLF, LF or a lone CR, as
    CommonMark counts them) an LF, escape codes removed; and the BOM and the line end used most,
    which the file is written back with."""
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    newline = newline_of(text)
    if CR in text:
        text = _LINE_END.sub(LF, text)
    if "\x1b" in text:
        text = _ESCAPE_CODE.sub("", text)
    return Plain(text, newline, bom)


def escape_codes(text: str) -> list[tuple[int, str]]:
    """(line, code as written) of each terminal escape code of the file's text."""
    if "\x1b" not in text:
        return []
    text = _LINE_END.sub(LF, text.removeprefix(BOM))
    return [
        (text.count(LF, 0, found.start()) + 1, found.group())
        for found in _ESCAPE_CODE.finditer(text)
    ]


def without_escape_codes(data: bytes) -> bytes:
    """A file's bytes without its terminal escape codes: what it says once they are removed,
    byte for byte otherwise (kept to be written back)."""
    if b"\x1b" not in data:
        return data
    text = data.decode("utf-8", "surrogateescape")
    return _ESCAPE_CODE.sub("", text).encode("utf-8", "surrogateescape")


def as_written(text: str, newline: str = LF, bom: bool = False) -> str:
    """Rendered text (LF line ends) with the file's own line end and BOM."""
    if newline != LF:
        text = text.replace(LF, newline)
    return BOM + text if bom else text

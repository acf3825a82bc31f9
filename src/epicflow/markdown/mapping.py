"""``github-mapping.md``: what ccpm (and its forks) write in an epic folder after a GitHub sync.

ccpm renames each task file to its issue number (``001.md`` -> ``1234.md``) and lists the
issues, one line each: ``- #1234: Title - https://github.com/o/r/issues/1234`` (forks bold the
number: ``- **#1234**: Title``). Forks also record the number a file had before the sync, as a
table (``| 001-set-up.md | 1234.md | #1234 | Title |``, ``| 001 | 1234 |``) or as a line
(``001.md → #1234``, ``001 -> 1234``). Lines that say none of this are left alone. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAPPING_FILE = "github-mapping.md"

_NUMBER = r"[0-9]{1,10}"
# `- #1234: Title - https://...`, `- **#1234**: Title`, `* Issue #7 - Title`.
_ISSUE_LINE = re.compile(
    rf"[-*+]\s+(?:\*\*)?(?:issue\s+)?#({_NUMBER})(?:\*\*)?\s*(?:[:\-\u2013\u2014]\s*)?(.*)\Z",
    re.IGNORECASE,
)
_URL_TAIL = re.compile(r"\s*[-\u2013\u2014]?\s*<?https?://\S+\Z")
# `001.md → #1234`, `001 -> 1234: Title`, `001-set-up.md => 1234.md`.
_ARROW = re.compile(
    rf"(?<![\w#.])({_NUMBER})(?:[-_][\w.-]*?)?(?:\.md)?\s*(?:→|->|=>|⇒|⟶)\s*#?({_NUMBER})"
    r"(?:\.md)?\b\s*(?:[:\-\u2013\u2014]\s*(.*))?"
)
# A table cell naming a task by number: `001`, `#1234`, `1234.md`, `001-set-up.md`.
_CELL = re.compile(rf"#?({_NUMBER})(?:(?:[-_][\w.-]*)?\.md)?\Z")
_RULE_CELL = re.compile(r":?-+:?\Z")
# A header naming the column of the issue (the number after the sync).
_AFTER = re.compile(r"issue|github|new|after|#", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One line: ``number`` is the issue number (the file's name after the sync); ``old`` the
    number the file had before it, when the line records it; ``line`` counts from 1."""

    number: str
    old: str | None
    title: str | None
    line: int


@dataclass(frozen=True)
class GithubMapping:
    file: str
    entries: tuple[Entry, ...]

    def renames(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.old is not None]

    def renamed_from(self, old: int) -> list[Entry]:
        return [entry for entry in self.renames() if int(entry.old or 0) == old]

    def renamed_to(self, number: int) -> list[Entry]:
        return [entry for entry in self.renames() if int(entry.number) == number]

    def titled(self, number: int) -> list[Entry]:
        return [e for e in self.entries if e.title and int(e.number) == number]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _row(cells: list[str], header: list[str], line: int) -> Entry | None:
    numbered = [(i, m.group(1)) for i, cell in enumerate(cells) if (m := _CELL.match(cell))]
    words = [cell for i, cell in enumerate(cells) if cell and i not in dict(numbered)]
    title = next((cell for cell in words if "://" not in cell), None)
    if not numbered:
        return None
    if len(numbered) == 1:
        return Entry(numbered[0][1], None, title, line)
    (first, old), (second, new) = numbered[0], numbered[1]
    if (
        len(header) == len(cells)
        and _AFTER.search(header[first])
        and not _AFTER.search(header[second])
    ):
        old, new = new, old
    return Entry(new, old, title, line)


def _issue_line(text: str, line: int) -> Entry | None:
    found = _ISSUE_LINE.match(text)
    if found is None:
        return None
    title = _URL_TAIL.sub("", found.group(2)).strip().strip("*").strip() or None
    if title is not None and title.lower().startswith("epic:"):
        return None
    return Entry(found.group(1), None, title, line)


def parse_mapping(text: str, file: str) -> GithubMapping:
    """Every line of a ``github-mapping.md`` that names a task by number."""
    entries: list[Entry] = []
    header: list[str] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("|"):
            cells = _cells(line)
            if all(_RULE_CELL.match(cell) for cell in cells):
                continue
            entry = _row(cells, header, number)
            if entry is None:
                header = cells
        else:
            header = []
            arrow = _ARROW.search(line)
            if arrow is not None:
                title = (arrow.group(3) or "").strip() or None
                entry = Entry(arrow.group(2), arrow.group(1), title, number)
            else:
                entry = _issue_line(line, number)
        if entry is not None:
            entries.append(entry)
    return GithubMapping(file, tuple(entries))

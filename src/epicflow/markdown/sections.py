"""The markdown body: title headings, ``## Section`` splitting, checklists, text normalization.

Rules a section text follows (what round-trips):
- a section runs from its ``## Name`` heading to the next *known* section heading; any other
  heading (``# x``, ``## Notes``, ``### y``) is ordinary content of the section it sits in;
- a content line that would read as a known section heading is written with one more leading
  backslash (``\\## Description``) and read back without it, so any text survives;
- leading and trailing blank lines of a section are dropped (``normalize_text``).
Fenced code blocks are not tracked for sections: a known heading inside a fence still starts a
section when the file is read (it is escaped when epicflow writes it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from epicflow.markdown.model import Check

SECTIONS = {
    "description": "Description",
    "tdd_requirements": "TDD Requirements",
    "acceptance_criteria": "Acceptance Criteria",
    "technical_details": "Technical Details",
    "dependencies": "Dependencies",
    "effort": "Effort Estimate",
    "definition_of_done": "Definition of Done",
}
_BY_NAME = {title.lower(): key for key, title in SECTIONS.items()}
_H2 = re.compile(r" {0,3}##(?!#)(.*)\Z")
_H1 = re.compile(r" {0,3}#(?:[ \t]+(.*?))?[ \t]*\Z")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)\Z")
_CHECK = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])\s*\[([ xX])\](.*)\Z")
_BULLET = re.compile(r"\s*[-*+]\s+(.*)\Z")


def section_key(line: str) -> str | None:
    """The section a heading line opens (``"acceptance_criteria"``), or None."""
    found = _H2.match(line)
    if found is None:
        return None
    name = " ".join(found.group(1).strip().rstrip("#:").split()).lower()
    return _BY_NAME.get(name)


def escape(line: str) -> str:
    return "\\" + line if section_key(line.lstrip("\\")) else line


def unescape(line: str) -> str:
    return line[1:] if line.startswith("\\") and section_key(line.lstrip("\\")) else line


def is_blank(line: str) -> bool:
    return not line.strip()


def trim_blank_lines(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and is_blank(lines[start]):
        start += 1
    while end > start and is_blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def normalize_text(text: str) -> str:
    """What a section text becomes after a write and a read: line endings as LF, leading and
    trailing blank lines dropped. Compare stored text through this to spot real changes."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(trim_blank_lines(text.split("\n")))


def clean_check_text(text: str) -> str:
    """A checklist item is one line: line breaks become spaces, ends are stripped."""
    return " ".join(normalize_text(text).split("\n")).strip()


@dataclass
class Section:
    heading_line: int
    lines: list[tuple[int, str]]

    def text(self) -> str:
        return "\n".join(trim_blank_lines([unescape(line) for _, line in self.lines]))


@dataclass
class Body:
    preamble: list[tuple[int, str]]
    sections: dict[str, Section]


def split_sections(lines: list[str], first_line: int) -> tuple[Body, tuple[int, str] | None]:
    """Split a task body; also returns the (line, key) of a repeated section heading, if any."""
    body = Body([], {})
    current = body.preamble
    duplicate: tuple[int, str] | None = None
    for number, line in enumerate(lines, start=first_line):
        key = section_key(line)
        if key is None:
            current.append((number, line))
        elif key in body.sections:
            duplicate = duplicate or (number, key)
            current = body.sections[key].lines
        else:
            body.sections[key] = Section(number, [])
            current = body.sections[key].lines
    return body, duplicate


def find_title(lines: list[tuple[int, str]], prefix: str) -> tuple[int, str, int] | None:
    """The first ``# `` heading outside code fences: (index, text without ``prefix``, line)."""
    fence: str | None = None
    for index, (number, line) in enumerate(lines):
        found = _FENCE.match(line)
        if found is not None:
            mark, rest = found.groups()
            if fence is None:
                fence = mark
            elif mark[0] == fence[0] and len(mark) >= len(fence) and not rest.strip():
                fence = None
            continue
        heading = _H1.match(line) if fence is None else None
        if heading is not None:
            text = (heading.group(1) or "").strip()
            if text.lower().startswith(prefix):
                text = text[len(prefix) :].strip()
            return index, text, number
    return None


def parse_checklist(lines: list[tuple[int, str]]) -> tuple[Check, ...]:
    """Every non-blank line is an item: ``- [x] a`` is done, a plain bullet or prose is not."""
    items = []
    for _, raw in lines:
        line = unescape(raw)
        box = _CHECK.match(line)
        bullet = _BULLET.match(line)
        if box is not None:
            check = Check(box.group(2).strip(), box.group(1) != " ")
        elif bullet is not None:
            check = Check(bullet.group(1).strip(), False)
        else:
            check = Check(line.strip(), False)
        if check.text:
            items.append(check)
    return tuple(items)


def render_checklist(checks: tuple[Check, ...]) -> str:
    lines = []
    for check in checks:
        text = clean_check_text(check.text)
        if text:
            lines.append(f"- [{'x' if check.done else ' '}] {text}")
    return "\n".join(lines)


def render_text(text: str) -> str:
    return "\n".join(escape(line) for line in normalize_text(text).split("\n"))

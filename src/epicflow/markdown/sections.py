"""The markdown body: title headings, ``## Section`` splitting, checklists, text normalization.

Rules a section text follows (what round-trips):
- every ``## `` heading ends the section before it: a known one (``## Description``) opens that
  section, any other (``## Notes``, ``## 验收标准``) opens an unknown section, kept verbatim
  with the known section it follows (``Kept``);
- a content line of a known section that would read as a ``## `` heading is written with one
  more leading backslash (``\\## Notes``) and read back without it, so any text survives;
- leading and trailing blank lines of a section are dropped (``normalize_text``);
- in a checklist section only top-level ``- [ ]`` / ``- [x]`` lines (``*``, ``+``, ``1.`` too,
  indented by at most one space) are items; any other line, nested items included, is kept
  verbatim where it stands among the items.
Fenced code blocks are not tracked for sections: a ``## `` line inside a fence still starts a
section when the file is read (an unknown one is written back as it was, so no byte is lost).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from epicflow.markdown.model import Check, Kept

# A checklist section read: its items, the text among them, and the items written otherwise
# than export writes them (key, item number, line as written).
Checklist = tuple[tuple[Check, ...], list[Kept], tuple[tuple[str, int, str], ...]]

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
# Other headings files give a known section (docs/ccpm.md, "Sections"), by lower-cased name. One
# is read as that section when the file has no heading of the section's own, and only the first
# of them; any other stays an unknown section. Its heading is written back as the file had it.
ALIASES = {
    "acceptance tests": "acceptance_criteria",
    "success criteria": "acceptance_criteria",
    "done criteria": "acceptance_criteria",
    "criteria": "acceptance_criteria",
    "验收标准": "acceptance_criteria",
    "kriterien": "acceptance_criteria",
    "akzeptanzkriterien": "acceptance_criteria",
    "testing": "tdd_requirements",
    "tests": "tdd_requirements",
    "test plan": "tdd_requirements",
    "test strategy": "tdd_requirements",
}
_H2 = re.compile(r" {0,3}##(?!#)(.*)\Z")
_H1 = re.compile(r" {0,3}#(?:[ \t]+(.*?))?[ \t]*\Z")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)\Z")
# A top-level item: two spaces or a tab make it a nested one, which is text of its parent.
_ITEM = re.compile(r" ?(?:[-*+]|\d{1,9}[.)])\s*\[([ xX])\](.*)\Z")


def _heading_name(line: str) -> str | None:
    found = _H2.match(line)
    if found is None:
        return None
    return " ".join(found.group(1).strip().rstrip("#:").split()).lower()


def section_key(line: str) -> str | None:
    """The section a heading line opens (``"acceptance_criteria"``), or None."""
    name = _heading_name(line)
    return None if name is None else _BY_NAME.get(name)


def alias_key(line: str) -> str | None:
    """The known section another heading stands for (``## Success Criteria``), or None."""
    name = _heading_name(line)
    return None if name is None else ALIASES.get(name)


def is_heading(line: str) -> bool:
    """Any ``## `` heading, known or not: each one starts a section."""
    return _H2.match(line) is not None


def escape(line: str) -> str:
    return "\\" + line if is_heading(line.lstrip("\\")) else line


def unescape(line: str) -> str:
    return line[1:] if line.startswith("\\") and is_heading(line.lstrip("\\")) else line


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
    if "\n" not in text and "\r" not in text:
        return text.strip()
    return " ".join(normalize_text(text).split("\n")).strip()


@dataclass
class Section:
    heading_line: int
    lines: list[tuple[int, str]]

    def text(self) -> str:
        return "\n".join(trim_blank_lines([unescape(line) for _, line in self.lines]))

    def verbatim(self) -> str:
        return "\n".join(trim_blank_lines([line for _, line in self.lines]))


@dataclass
class Body:
    preamble: list[tuple[int, str]]
    sections: dict[str, Section]
    # Unknown sections, heading line included, with the key of the known section they follow.
    unknown: list[tuple[str, Section]]
    # Sections read under another heading (``ALIASES``): key -> the heading line as written.
    headings: dict[str, str] = field(default_factory=dict)
    _lists: dict[str, Checklist] = field(default_factory=dict, repr=False, compare=False)

    def checklist(self, key: str) -> Checklist:
        """The checklist section ``key`` as ``read_checklist`` reads it (read once)."""
        if key not in self._lists:
            section = self.sections.get(key)
            self._lists[key] = read_checklist(section.lines, key) if section else ((), [], ())
        return self._lists[key]


def split_sections(lines: list[str], first_line: int) -> tuple[Body, tuple[int, str] | None]:
    """Split a task body; also returns the (line, key) of a repeated section heading, if any."""
    body = Body([], {}, [])
    current = body.preamble
    after = ""
    duplicate: tuple[int, str] | None = None
    # Each line's heading name, once ("#" in its first four characters, or it is no heading).
    names = [_heading_name(line) if "#" in line[:4] else None for line in lines]
    own = {_BY_NAME[name] for name in names if name in _BY_NAME}
    for number, (line, name) in enumerate(zip(lines, names, strict=True), start=first_line):
        key = None if name is None else _BY_NAME.get(name)
        alias = ALIASES.get(name) if name is not None and key is None else None
        if alias is not None and alias not in own and alias not in body.sections:
            body.headings[alias] = line
            key = alias
        if key is None and name is not None:
            body.unknown.append((after, Section(number, [(number, line)])))
            current = body.unknown[-1][1].lines
        elif key is None:
            current.append((number, line))
        elif key in body.sections:
            duplicate = duplicate or (number, key)
            current = body.sections[key].lines
        else:
            body.sections[key] = Section(number, [])
            current = body.sections[key].lines
            after = key
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


def parse_checklist(lines: list[tuple[int, str]], key: str) -> tuple[tuple[Check, ...], list[Kept]]:
    """The items of a checklist section, and the runs of other lines among them (prose, tables,
    fences, sub-headings, nested items), kept verbatim with the number of items before them."""
    items, kept, _ = read_checklist(lines, key)
    return items, kept


def read_checklist(lines: list[tuple[int, str]], key: str) -> Checklist:
    """``parse_checklist``, and the items written otherwise than ``render_item`` writes them:
    (key, item number, line as written)."""
    items: list[Check] = []
    kept: list[Kept] = []
    written: list[tuple[str, int, str]] = []
    run: list[str] = []
    for line in trim_blank_lines([line for _, line in lines]):
        box = _ITEM.match(line)
        text = clean_check_text(box.group(2)) if box is not None else ""
        if box is None or not text:
            # An empty box is not an item (render drops it): it is kept as written.
            run.append(line)
            continue
        if run:
            kept.append(Kept(key, "\n".join(run), len(items)))
            run = []
        check = Check(text, box.group(1) != " ")
        if line != f"- [{'x' if check.done else ' '}] {text}":  # as render_item writes it
            written.append((key, len(items), line))
        items.append(check)
    if run:
        kept.append(Kept(key, "\n".join(run), len(items)))
    return tuple(items), kept, tuple(written)


def render_item(check: Check, written: str | None = None) -> str:
    """``- [ ] text`` / ``- [x] text``, or the item as the file wrote it (``* [X] text``) while
    that still reads as the same item."""
    if written is not None and "\n" not in written:
        box = _ITEM.match(written)
        said = (clean_check_text(box.group(2)), box.group(1) != " ") if box is not None else None
        if said == (clean_check_text(check.text), check.done):
            return written
    return f"- [{'x' if check.done else ' '}] {clean_check_text(check.text)}"


def kept_parts(body: Body) -> tuple[Kept, ...]:
    """Unknown sections and text among checklist items, in the order a task writes them back:
    by the known section they follow, a checklist's own text before the sections after it."""
    kept = [Kept(after, section.verbatim()) for after, section in body.unknown]
    for key in ("acceptance_criteria", "definition_of_done"):
        kept += body.checklist(key)[1]
    order = {key: rank for rank, key in enumerate(("", *SECTIONS))}
    # sorted() is stable: unknown sections keep their order among themselves.
    return tuple(sorted(kept, key=lambda part: (order[part.after], part.at is None, part.at or 0)))


def render_checklist(
    checks: tuple[Check, ...], kept: tuple[Kept, ...] = (), written: dict[int, str] | None = None
) -> str:
    """Items as ``- [ ] text`` (or as ``written``, by item number: see ``render_item``), with
    the kept text of the section before the item it preceded."""
    written = written or {}
    items = [check for check in checks if clean_check_text(check.text)]
    lines = []
    for index in range(len(items) + 1):
        last = index == len(items)
        lines += [
            part.text
            for part in kept
            if (part.at or 0) == index or (last and (part.at or 0) > index)
        ]
        if not last:
            lines.append(render_item(items[index], written.get(index)))
    return "\n".join(lines)


def render_text(text: str) -> str:
    return "\n".join(escape(line) for line in normalize_text(text).split("\n"))

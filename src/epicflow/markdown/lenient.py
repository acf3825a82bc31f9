"""Warnings: what a file wrote that was read leniently, so that the person importing it can
check the reading (an import still goes ahead).

Each warning is derived from the parsed document and the file's text, after a successful
parse; the parser itself keeps what was written (``Form``, ``effort_text``) so that export
writes it back. Codes (docs/ccpm.md, "Warnings"):

- ``status_spelling``: a status word of a fork of ccpm (``pending`` read as ``open``);
- ``fork_key``: ``title:`` read as ``name:``, ``dependencies:`` as ``depends_on:``;
- ``metadata_layout``: the metadata in a fenced yaml block, or no metadata at all;
- ``hours_range``: a range of hours, planned with its upper bound;
- ``effort_note``: a size, hours or flag followed by a note or a unit (the note is kept);
- ``effort_from_frontmatter``: size or hours read from frontmatter ``effort:``/``effort_hours:``;
- ``line_ends``: line ends of more than one kind (written back with the one used most);
- ``escape_code``: a terminal escape code, removed.
"""

from __future__ import annotations

from epicflow.markdown import effort, textfile
from epicflow.markdown.errors import Finding
from epicflow.markdown.model import (
    EPIC_STATUS_FORKS,
    TASK_STATUS_FORKS,
    EpicDoc,
    Form,
    TaskDoc,
    status_key,
)
from epicflow.markdown.sections import section_key


class _Lines:
    """The file's lines, split on first use (most files need none of them)."""

    def __init__(self, text: str) -> None:
        self.lines = textfile.plain(text).text.split("\n")

    def key(self, name: str) -> int | None:
        """The line of the first ``name:`` key (frontmatter or yaml block)."""
        for number, line in enumerate(self.lines, start=1):
            if line.startswith(f"{name}:"):
                return number
        return None

    def section(self, key: str) -> list[tuple[int, str]]:
        """The numbered lines of the first section ``key`` (heading excluded)."""
        out: list[tuple[int, str]] = []
        inside = False
        for number, line in enumerate(self.lines, start=1):
            if line.lstrip().startswith("##") and not line.lstrip().startswith("###"):
                if inside:
                    break
                inside = section_key(line) == key
            elif inside:
                out.append((number, line))
        return out


def _bytes(form: Form, text: str, file: str) -> list[Finding]:
    """Line ends of more than one kind, and terminal escape codes."""
    found = []
    other = textfile.first_other_line_end(text, form.newline)
    if other is not None:
        line, end = other
        names = textfile.NEWLINE_NAMES
        message = (
            f"line ends {names[end]} here and {names[form.newline]} on most lines: "
            f"written back with {names[form.newline]} on every line"
        )
        found.append(Finding(file, line, "", "line_ends", message))
    for line, code in textfile.escape_codes(text):
        shown = ascii(code)[1:-1]
        message = f"terminal escape code {shown} (ANSI, pasted from a terminal?) removed"
        found.append(Finding(file, line, "", "escape_code", message))
    return found


def _form(form: Form, statuses: dict[str, str], lines: _Lines, file: str) -> list[Finding]:
    found = []
    if form.status is not None and status_key(form.status) in statuses:
        meaning = statuses[status_key(form.status)].replace("_", "-")
        message = f"status {form.status!r} read as {meaning!r} (a fork's word; kept as written)"
        found.append(Finding(file, lines.key("status"), "status", "status_spelling", message))
    if form.layout == "yaml":
        message = "metadata read from the fenced yaml block under the heading"
        found.append(Finding(file, None, "", "metadata_layout", message))
    elif form.layout == "none":
        message = "no frontmatter: read with the defaults (status open, no dependencies)"
        found.append(Finding(file, 1, "", "metadata_layout", message))
    return found


def task_warnings(doc: TaskDoc, text: str, file: str) -> list[Finding]:
    lines = _Lines(text)
    found = _bytes(doc.form, text, file) + _form(doc.form, TASK_STATUS_FORKS, lines, file)
    if doc.form.title_key == "title":
        message = "title: read as name: (the task's title)"
        found.append(Finding(file, lines.key("title"), "title", "fork_key", message))
    if doc.form.depends_key == "dependencies":
        message = "dependencies: read as depends_on:"
        line = lines.key("dependencies")
        found.append(Finding(file, line, "depends_on", "fork_key", message))
    found += _effort(doc, lines, file)
    return sorted(found, key=lambda f: f.line or 0)


def epic_warnings(doc: EpicDoc, text: str, file: str) -> list[Finding]:
    found = _bytes(doc.form, text, file) + _form(doc.form, EPIC_STATUS_FORKS, _Lines(text), file)
    return sorted(found, key=lambda f: f.line or 0)


def _effort(doc: TaskDoc, lines: _Lines, file: str) -> list[Finding]:
    found: list[Finding] = []
    seen: set[str] = set()
    fallback = effort.FRONT_SIZE in doc.extra or effort.FRONT_HOURS in doc.extra
    if not doc.effort_text and not fallback:
        return found  # the section is written as epicflow writes it
    for number, line in lines.section("effort") if doc.effort_text else ():
        written = effort.key_of(line)
        if written is None or written[0] in seen:
            continue
        key, value_text = written
        seen.add(key)
        leniency = effort.leniency(key, value_text)
        if leniency is not None:
            code, message = leniency
            found.append(Finding(file, number, "estimate", code, message))
    for key, name in (("size", effort.FRONT_SIZE), ("hours", effort.FRONT_HOURS)):
        value = doc.size if key == "size" else doc.hours
        if key not in seen and value is not None and name in doc.extra:
            message = f"{key} read from frontmatter {name}: {doc.extra[name]!r}"
            found.append(
                Finding(file, lines.key(name), "estimate", "effort_from_frontmatter", message)
            )
    return found

"""Reading and writing one ccpm task file (``001.md``)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import TypeVar

from epicflow.markdown import effort
from epicflow.markdown.errors import Finding, MarkdownError, MarkdownErrors
from epicflow.markdown.frontmatter import Fields, split_document
from epicflow.markdown.model import (
    PRIORITY_WORDS,
    REF,
    REF_ENTRY,
    TASK_FIELDS,
    TASK_STATUS_EXPORT,
    TASK_STATUS_SPELLINGS,
    Check,
    Form,
    TaskDoc,
    spellings,
    status_key,
)
from epicflow.markdown.sections import (
    SECTIONS,
    Body,
    Section,
    find_title,
    kept_parts,
    split_sections,
)
from epicflow.markdown.validate import title_or_error

T = TypeVar("T")
# What a field that cannot be read stands for while the rest of the file is read.
_NO_TITLE: tuple[str, str | None, str | None, str] = ("", None, None, "name")
_OPEN: tuple[str, str | None] = ("open", None)
_NO_REFS: tuple[tuple[str, ...], str] = ((), "depends_on")

# `# Task 004: Title`, `# Task #4 - Title`: the number is the file's, not part of the title.
# A dash or dot must be followed by a space, so that `# Task 3-point plan` keeps its title.
_NUMBERED = re.compile(r"task\s*#?\s*\d+\s*(?::\s*|[-\u2013\u2014.]\s+)", re.IGNORECASE)
_PRIORITY = re.compile(r"[pP]?[0-4]\Z")


def ref_of(filename: str) -> str:
    """The ref a task file name gives: ``epics/x/003.md`` -> ``"003"``."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    if not name.endswith(".md") or not REF.match(name[:-3]):
        raise MarkdownError(filename, None, "task files must be named like 001.md")
    return name[:-3]


def parse_task(text: str, *, filename: str) -> TaskDoc:
    """Parse one task file; ``filename`` (``epics/x/003.md``) gives the ref and names errors."""
    ref = ref_of(filename)
    doc = split_document(text, filename, TASK_FIELDS)
    body, duplicate = split_sections(doc.body, doc.body_line)
    if duplicate is not None:
        raise MarkdownError(filename, duplicate[0], f"duplicate section {SECTIONS[duplicate[1]]}")
    fields = doc.fields
    found = _Found()
    title, heading, name, title_key = found.get(lambda: _title(fields, body), _NO_TITLE)
    parallel = found.get(lambda: fields.take_flag("parallel"), None)
    status, spelled = found.get(lambda: _status(fields), _OPEN)
    depends_on, depends_key = found.get(lambda: _depends(fields), _NO_REFS)
    form = Form(
        layout=doc.layout,
        status=spelled,
        title_key=title_key,
        depends_key=depends_key,
        heading=heading,
        name=name,
        completed=fields.take_null("completed"),
        headings=tuple(body.headings.items()),
        newline=doc.newline,
        bom=doc.bom,
        items=_written_items(body),
    )
    task = TaskDoc(
        ref=ref,
        title=title,
        status=status,
        priority=found.get(lambda: _priority(fields), 2),
        labels=found.get(lambda: unique(text for text, _ in fields.take_list("labels")), ()),
        assignee=found.get(lambda: fields.take_text("assignee")[0], None),
        key=found.get(lambda: fields.take_text("key")[0], None),
        description=_description(body),
        tdd_requirements=_text(body, "tdd_requirements"),
        technical_details=_text(body, "technical_details"),
        acceptance_criteria=_checks(body, "acceptance_criteria"),
        definition_of_done=_checks(body, "definition_of_done"),
        depends_on=depends_on,
        conflicts_with=found.get(lambda: _refs(fields, "conflicts_with"), ()),
        created=found.get(lambda: fields.take_time("created"), None),
        updated=found.get(lambda: fields.take_time("updated"), None),
        github=found.get(lambda: fields.take_text("github", placeholder_lists=True)[0], None),
        dependencies_note=_text(body, "dependencies"),
        extra=fields.extras(),
        kept=kept_parts(body),
        form=form,
    )
    # After the frontmatter is read: its effort keys are a fallback, kept among the extras.
    estimate = found.get(
        lambda: _effort(body, filename, parallel, task.extra, text),
        effort.Effort(None, None, True, ""),
    )
    if found.errors:
        raise MarkdownErrors(found.errors)
    return dataclasses.replace(
        task,
        size=estimate.size,
        hours=estimate.hours,
        parallel=estimate.parallel is not False,
        effort_text=estimate.text,
    )


class _Found:
    """Every field's error of one file: each field is read on its own, a bad one gives its
    default so that the next ones are read too, and the file is refused with all of them."""

    def __init__(self) -> None:
        self.errors: list[Finding] = []

    def get(self, read: Callable[[], T], default: T) -> T:
        try:
            return read()
        except MarkdownErrors as exc:
            self.errors += exc.findings
        except MarkdownError as exc:
            self.errors.append(exc.finding())
        return default


def _name(fields: Fields) -> tuple[str | None, int | None, str]:
    """``name:``, or ``title:`` as forks write it; both is fine only when they agree."""
    name, name_line = fields.take_text("name")
    title, title_line = fields.take_text("title")
    if name is not None and title is not None and name != title:
        raise fields.error(
            title_line,
            f"name: {name!r} (line {name_line}) and title: {title!r} disagree; keep one of them",
        )
    if name is None and title is not None:
        return title, title_line, "title"
    return name, name_line, "name" if title is None else "name+title"


def heading_title(line: str) -> str:
    """The title a ``# `` heading gives: ``Task:`` or ``Task 004:`` dropped."""
    text = line.lstrip()[1:].strip()
    numbered = _NUMBERED.match(text)
    if numbered is not None:
        return text[numbered.end() :].strip()
    return text[5:].strip() if text.lower().startswith("task:") else text


def _title(fields: Fields, body: Body) -> tuple[str, str | None, str | None, str]:
    """The title (the heading wins over ``name:``), and the heading and name as written where
    export would write them otherwise."""
    name, name_line, title_key = _name(fields)
    heading = find_title(body.preamble, "task:")
    if heading is not None:
        index, _, line = heading
        written = body.preamble.pop(index)[1]
        text = heading_title(written)
        if text:
            title = title_or_error(text, fields.file, line)
            kept = None if written == f"# Task: {title}" else written
            return title, kept, None if name in (None, title) else name, title_key
    if name:
        return title_or_error(name, fields.file, name_line), None, None, title_key
    raise fields.error(None, "no title: add a '# Task: <title>' heading or a name: field")


def _status(fields: Fields) -> tuple[str, str | None]:
    """The status, and its word as written when export would write another one."""
    written, line = fields.take_text("status")
    status = "open"
    if written is not None:
        status = TASK_STATUS_SPELLINGS.get(status_key(written), "")
        if not status:
            raise fields.error(
                line,
                f"unknown status {written!r}; use one of {spellings(TASK_STATUS_SPELLINGS)}",
            )
    spelled = None if written in (None, TASK_STATUS_EXPORT[status][0]) else written
    precise, line = fields.take_text("epicflow_status")
    if precise is None:
        return status, spelled
    if precise not in TASK_STATUS_EXPORT:
        raise fields.error(line, f"unknown epicflow_status {precise!r}")
    # Honoured only while it agrees with `status:`: a hand-edited ccpm status wins.
    exported = TASK_STATUS_EXPORT[precise][0]
    if TASK_STATUS_SPELLINGS[status_key(exported)] == status:
        return precise, None if written == exported else spelled
    return status, spelled


def _depends(fields: Fields) -> tuple[tuple[str, ...], str]:
    """``depends_on:``, or ``dependencies:`` as forks write it (not both)."""
    if fields.has("dependencies"):
        if fields.has("depends_on"):
            raise fields.error(
                fields.line_of("dependencies"),
                "both depends_on: and dependencies: are given; keep one of them",
            )
        return _refs(fields, "dependencies"), "dependencies"
    return _refs(fields, "depends_on"), "depends_on"


def _priority(fields: Fields) -> int:
    text, line = fields.take_text("priority")
    if text is None:
        return 2
    if text.lower() in PRIORITY_WORDS:
        return PRIORITY_WORDS[text.lower()]
    if _PRIORITY.match(text):
        return int(text[-1])
    raise fields.error(line, f"priority must be 0 (critical) to 4 (backlog), not {text!r}")


def unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _refs(fields: Fields, name: str) -> tuple[str, ...]:
    items = fields.take_list(name)
    for text, line in items:
        if not REF_ENTRY.match(text):
            raise fields.error(
                line, f"{name} entry {text!r} is not a task reference (002 or other-epic/003)"
            )
    return unique(text for text, _ in items)


def _text(body: Body, key: str) -> str:
    section = body.sections.get(key)
    return "" if section is None else section.text()


def _description(body: Body) -> str:
    """Text before the first section (title heading aside) comes first, then Description."""
    parts = (Section(0, body.preamble).text(), _text(body, "description"))
    return "\n\n".join(part for part in parts if part)


def _checks(body: Body, key: str) -> tuple[Check, ...]:
    return body.checklist(key)[0]


def _written_items(body: Body) -> tuple[tuple[str, int, str], ...]:
    """Checklist items written otherwise than export writes them, to be written back so."""
    found: tuple[tuple[str, int, str], ...] = ()
    for key in ("acceptance_criteria", "definition_of_done"):
        found += body.checklist(key)[2]
    return found


def _effort(
    body: Body, filename: str, parallel: bool | None, extra: dict[str, str], text: str
) -> effort.Effort:
    """Size, hours and parallel: the section wins over frontmatter ``effort:``/``effort_hours:``
    (a fallback), frontmatter ``parallel:`` wins over the section. Other lines are kept."""
    section = body.sections.get("effort")
    read = effort.read_section(section.lines if section else [], filename)
    front = effort.front_values(extra, filename, text, strict="hours" not in read)
    size, hours = read.get("size", front.get("size")), read.get("hours", front.get("hours"))
    assert size is None or isinstance(size, str)
    assert hours is None or isinstance(hours, float)
    flag = parallel if parallel is not None else read.get("parallel") is not False
    written = section.text() if section else ""
    if written == effort.canonical(size, hours, flag):
        written = ""
    return effort.Effort(size, hours, flag, written)

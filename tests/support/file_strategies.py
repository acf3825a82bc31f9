"""Random epics as people's editors leave them, for the byte-for-byte round-trip properties:
task files with unknown sections, text and nested lists among checklist items, items spelled
otherwise, ranges of hours and notes after sizes (effort_sections), forks' status words and
keys, CRLF, LF or CR line ends, a BOM or none (see markdown_strategies.py for the domain)."""

from __future__ import annotations

import dataclasses
from functools import partial

from hypothesis import strategies as st

from epicflow.markdown import Check, EpicDoc, TaskDoc, render_epic, render_task
from epicflow.markdown.model import EPIC_STATUS_SPELLINGS, TASK_STATUS_SPELLINGS, Form
from tests.support.markdown_strategies import epic_docs, kept_parts, task_docs, titles

newlines = st.sampled_from(("\n", "\r\n", "\r"))
# Bullets and boxes as people type them; the spacing after the box and trailing spaces too.
_BULLETS = ("-", "*", "+", "1.", "2)", " -", "10.")


def _words(table: dict[str, str], status: str) -> list[str]:
    return [word for word, meaning in table.items() if meaning == status]


@st.composite
def item_lines(draw: st.DrawFn, key: str, checks: tuple[Check, ...]) -> list[tuple[str, int, str]]:
    written = []
    for at, check in enumerate(checks):
        if not draw(st.booleans()):
            continue
        box = draw(st.sampled_from(("x", "X"))) if check.done else " "
        bullet = draw(st.sampled_from(_BULLETS))
        space = draw(st.sampled_from((" ", "  ", "\t")))
        trail = draw(st.sampled_from(("", " ", "   ")))
        written.append((key, at, f"{bullet} [{box}]{space}{check.text}{trail}"))
    return written


@st.composite
def forms(draw: st.DrawFn, doc: TaskDoc) -> Form:
    words = _words(TASK_STATUS_SPELLINGS, doc.status)
    number = draw(st.integers(0, 999))
    items = draw(item_lines("acceptance_criteria", doc.acceptance_criteria))
    items += draw(item_lines("definition_of_done", doc.definition_of_done))
    return Form(
        layout=draw(st.sampled_from(("frontmatter", "yaml", "none"))),
        status=draw(st.none() | st.sampled_from([*words, "pending", "skipped"])),
        title_key=draw(st.sampled_from(("name", "title", "name+title"))),
        depends_key=draw(st.sampled_from(("depends_on", "dependencies"))),
        heading=draw(
            st.none() | st.sampled_from((f"# Task {number:03}: {doc.title}", f"# {doc.title}"))
        ),
        name=draw(st.none() | titles),
        completed=draw(st.none() | st.sampled_from(("null", "~", "", "Null"))),
        newline=draw(newlines),
        bom=draw(st.booleans()),
        items=tuple(items),
    )


@st.composite
def task_files(draw: st.DrawFn, base: st.SearchStrategy[TaskDoc] | None = None) -> TaskDoc:
    """A task as a person's file has it: ``base`` (any task by default) with kept text and a
    written form."""
    doc = draw(base if base is not None else task_docs())
    doc = dataclasses.replace(doc, kept=draw(kept_parts(doc)))
    return dataclasses.replace(doc, form=draw(forms(doc)))


@st.composite
def epic_files(draw: st.DrawFn, base: st.SearchStrategy[EpicDoc] | None = None) -> EpicDoc:
    doc = draw(base if base is not None else epic_docs())
    words = _words(EPIC_STATUS_SPELLINGS, doc.status)
    form = Form(
        layout=draw(st.sampled_from(("frontmatter", "yaml", "none"))),
        status=draw(st.none() | st.sampled_from([*words, "complete"])),
        heading=draw(st.none() | st.just(f"# {doc.title}")),
        newline=draw(newlines),
        bom=draw(st.booleans()),
    )
    return dataclasses.replace(doc, form=form)


# Files beside the tasks (attachments: images, notes, analysis files) belong in a generated epic
# too: a strategy for them goes here once the import reads them, and `http_epics` adds them.


TIME = "2025-08-01T09:00:00Z"
# Keys the import reads as times of their own (started, completed): not text to keep.
_TIMED = frozenset({"started", "completed"})
# Statuses a file can hold without a start or completion time. The import gives a task that is
# in progress or done a started / completed time when the file has none, and export writes it:
# such a file does not come back byte for byte yet.
_TIMELESS = ("open", "blocked", "cancelled")


def _importable(doc: TaskDoc, ref: str, key: str, refs: list[str]) -> TaskDoc:
    """What a project can hold as written: its own key, times as the database writes them, no
    assignee or labels (users and label rules are the API's), refs to earlier tasks only."""
    return dataclasses.replace(
        doc,
        ref=ref,
        key=key,
        status=doc.status if doc.status in _TIMELESS else "open",
        created=TIME,
        updated=TIME,
        assignee=None,
        labels=(),
        depends_on=tuple(refs),
        conflicts_with=(),
        extra={name: value for name, value in doc.extra.items() if name not in _TIMED},
    )


@st.composite
def http_epics(draw: st.DrawFn, project: str) -> dict[str, str]:
    """The files of one epic ``e`` that project ``project`` can import, by path."""
    count = draw(st.integers(1, 3))
    tasks = []
    for number in range(1, count + 1):
        ref = f"{number:03d}"
        earlier = [f"{n:03d}" for n in range(1, number)]
        refs = draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []
        name = f"{project}-{number}"
        base = task_docs().map(partial(_importable, ref=ref, key=name, refs=refs))
        tasks.append(draw(task_files(base)))
    done = sum(task.status == "done" for task in tasks)
    counted = sum(task.status != "cancelled" for task in tasks)
    progress = f"{round(done / counted * 100) if counted else 0}%"
    base_epic = epic_docs().map(
        lambda doc: dataclasses.replace(
            doc, slug="e", created=TIME, updated=TIME, extra={"progress": progress}
        )
    )
    epic = draw(epic_files(base_epic))
    files = {"epics/e/epic.md": render_epic(epic)}
    files |= {f"epics/e/{task.ref}.md": render_task(task) for task in tasks}
    return files

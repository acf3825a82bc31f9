"""Random epics as people's editors leave them, for the byte-for-byte round-trip properties:
task files with unknown sections, text and nested lists among checklist items, items spelled
otherwise, ranges of hours and notes after sizes (effort_sections), forks' status words and
keys, CRLF, LF or CR line ends, a BOM or none (see markdown_strategies.py for the domain)."""

from __future__ import annotations

import dataclasses
from functools import partial

from hypothesis import assume
from hypothesis import strategies as st

from epicflow.markdown import Check, EpicDoc, TaskDoc, render_epic, render_task
from epicflow.markdown.model import EPIC_STATUS_SPELLINGS, TASK_STATUS_SPELLINGS, Form
from epicflow.markdown.validate import epic_string_findings, task_string_findings
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


TIME = "2025-08-01T09:00:00Z"
# Keys the import reads as times of their own (started, completed): not text to keep.
_TIMED = frozenset({"started", "completed"})


def _one_line(checks: tuple[Check, ...]) -> tuple[Check, ...]:
    """Checklist items as the API takes them: one line without a tab."""
    return tuple(dataclasses.replace(check, text=check.text.replace("\t", " ")) for check in checks)


def _importable(doc: TaskDoc, ref: str, key: str, refs: list[str]) -> TaskDoc:
    """What a project can hold: its own key, no assignee or labels (users and label rules
    are the API's), items without tabs, refs to earlier tasks only."""
    return dataclasses.replace(
        doc,
        ref=ref,
        key=key,
        title=doc.title.replace("\t", " ").strip() or "t",
        acceptance_criteria=_one_line(doc.acceptance_criteria),
        definition_of_done=_one_line(doc.definition_of_done),
        created=TIME,
        updated=TIME,
        assignee=None,
        labels=(),
        depends_on=tuple(refs),
        conflicts_with=(),
        extra={
            name: value
            for name, value in doc.extra.items()
            if name not in _TIMED and "\t" not in name
        },
    )


# Files beside the tasks (markdown.beside): any bytes, at the paths ccpm and its forks use.
_BESIDE = st.sampled_from(
    [
        *("execution-status.md", "github-mapping.md", "notes/plan.md", "test-e2e.sh"),
        *("{n}-analysis.md", "updates/{n}/progress.md", "updates/{n}/stream-A.md"),
    ]
)


@st.composite
def beside_files(draw: st.DrawFn, count: int) -> dict[str, bytes]:
    names = draw(st.lists(_BESIDE, max_size=3, unique=True))
    numbers = st.integers(1, count).map(str)
    return {name.format(n=draw(numbers)): draw(st.binary(max_size=200)) for name in names}


@st.composite
def http_epics(draw: st.DrawFn, project: str) -> dict[str, str | bytes]:
    """The files of one epic ``e`` that project ``project`` can import, by path, with files
    beside its tasks."""
    count = draw(st.integers(1, 3))
    tasks = []
    for number in range(1, count + 1):
        ref = f"{number:03d}"
        earlier = [f"{n:03d}" for n in range(1, number)]
        refs = draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []
        name = f"{project}-{number}"
        base = task_docs().map(partial(_importable, ref=ref, key=name, refs=refs))
        task = draw(task_files(base))
        # Strings the API refuses (a tab in a one-line field) are tested on their own
        # (tests/transfer/test_import_strings.py): the same rule keeps them out of here.
        assume(not task_string_findings(task))
        tasks.append(task)
    done = sum(task.status == "done" for task in tasks)
    counted = sum(task.status != "cancelled" for task in tasks)
    progress = f"{round(done / counted * 100) if counted else 0}%"
    base_epic = epic_docs().map(
        lambda doc: dataclasses.replace(
            doc,
            slug="e",
            title=doc.title.replace("\t", " ").strip() or "e",
            created=TIME,
            updated=TIME,
            extra={"progress": progress},
        )
    )
    epic = draw(epic_files(base_epic))
    assume(not epic_string_findings(epic))
    files: dict[str, str | bytes] = {"epics/e/epic.md": render_epic(epic)}
    files |= {f"epics/e/{task.ref}.md": render_task(task) for task in tasks}
    files |= {f"epics/e/{path}": data for path, data in draw(beside_files(count)).items()}
    return files

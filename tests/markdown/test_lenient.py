"""Warnings: each lenient reading is named with its file, line, field and code; a file written
as epicflow writes it gives none."""

from __future__ import annotations

import pytest

from epicflow.markdown import MarkdownError, MarkdownErrors, collect_tree, render_task
from epicflow.markdown.epic import parse_epic
from epicflow.markdown.lenient import epic_warnings, task_warnings
from epicflow.markdown.task import parse_task


def _task_codes(text: str) -> list[tuple[int | None, str, str]]:
    doc = parse_task(text, filename="epics/x/001.md")
    return [(w.line, w.field, w.code) for w in task_warnings(doc, text, "epics/x/001.md")]


def test_a_file_as_epicflow_writes_it_gives_no_warning() -> None:
    text = (
        "---\nname: Plain\nstatus: open\n---\n\n# Task: Plain\n\n"
        "## Effort Estimate\n\n- Size: M\n- Hours: 8\n- Parallel: true\n"
    )
    assert _task_codes(text) == []
    doc = parse_task(text, filename="001.md")
    assert task_warnings(doc, render_task(doc), "001.md") == []


@pytest.mark.parametrize(
    ("line", "code", "message"),
    [
        ("- Hours: 24-32 hours", "hours_range", "hours '24-32 hours' plans 32 h"),
        ("- Hours: 12小时", "effort_note", "hours '12小时' read as 12 h; the text is kept"),
        ("- Hours: 8 (with review)", "effort_note", "read as 8 h"),
        ("- Size: S (2-3 days)", "effort_note", "size 'S (2-3 days)' read as S; the note is kept"),
        (
            "- Parallel: true (with setup)",
            "effort_note",
            "parallel 'true (with setup)' read as true",
        ),
    ],
)
def test_effort_read_leniently(line: str, code: str, message: str) -> None:
    text = f"---\nname: T\n---\n# Task: T\n\n## Effort Estimate\n\n{line}\n"
    doc = parse_task(text, filename="001.md")
    (warning,) = task_warnings(doc, text, "001.md")
    assert (warning.line, warning.field, warning.code) == (8, "estimate", code)
    assert message in warning.message


def test_effort_from_frontmatter() -> None:
    text = "---\nname: T\neffort: M (8-12 hours)\neffort_hours: 6\n---\n# Task: T\n"
    assert _task_codes(text) == [
        (3, "estimate", "effort_from_frontmatter"),
        (4, "estimate", "effort_from_frontmatter"),
    ]


def test_the_section_wins_and_the_frontmatter_fallback_is_not_named() -> None:
    text = "---\nname: T\neffort_hours: 6\n---\n# Task: T\n\n## Effort Estimate\n- Hours: 8\n"
    assert _task_codes(text) == []


def test_metadata_layouts() -> None:
    yaml = "# Task: T\n\n```yaml\nstatus: open\n```\n"
    assert _task_codes(yaml) == [(None, "", "metadata_layout")]
    assert _task_codes("# Task: T\n\nJust text.\n") == [(1, "", "metadata_layout")]


def test_an_epic_status_of_a_fork() -> None:
    text = "---\nname: shop\nstatus: complete\n---\n# Epic: Shop\n"
    doc = parse_epic(text, slug="shop", filename="epic.md")
    (warning,) = epic_warnings(doc, text, "epic.md")
    assert (warning.line, warning.code) == (3, "status_spelling")
    assert (
        warning.message == "status 'complete' read as 'completed' (a fork's word; kept as written)"
    )


def test_collect_names_every_bad_file_in_file_order() -> None:
    files = {
        "epics/a/epic.md": b"---\nname: a\nstatus: nope\n---\n",
        "epics/a/10.md": b"---\nname: T\npriority: x\n---\n",
        "epics/a/2.md": b"\x81",
        "epics/a/3.md": b"# Task: fine\n",
        "epics/b/001.md": b"---\nname: T\nstatus: [a]\n---\n",
    }
    with pytest.raises(MarkdownErrors) as caught:
        collect_tree(files)
    assert [(f.file, f.line) for f in caught.value.findings] == [
        ("epics/a/epic.md", 3),
        ("epics/a/2.md", 1),
        ("epics/a/10.md", 3),
        ("epics/b/001.md", 3),
    ]
    # The warnings of the good files come along.
    assert [(w.file, w.code) for w in caught.value.warnings] == [
        ("epics/a/3.md", "metadata_layout")
    ]
    # As a MarkdownError, it names the first.
    assert isinstance(caught.value, MarkdownError)
    assert str(caught.value).splitlines()[0] == str(caught.value.findings[0])


def test_every_bad_field_of_one_file_is_named() -> None:
    files = {
        "epics/a/001.md": (
            b"---\nname: T\nstatus: someday\npriority: urgent-ish\ndepends_on: [x y]\n---\n"
            b"# Task: T\n\n## Effort Estimate\n- Hours: 2 days\n"
        ),
    }
    with pytest.raises(MarkdownErrors) as caught:
        collect_tree(files)
    found = [(f.line, f.message.split(" ")[0]) for f in caught.value.findings]
    assert found == [(3, "unknown"), (4, "priority"), (5, "depends_on"), (10, "hours")]

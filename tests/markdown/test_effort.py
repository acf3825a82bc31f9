"""The Effort Estimate section as people write it: read where the meaning is clear, written back
as it was, refused with the file, line, field and what would be accepted where it is not."""

from __future__ import annotations

import dataclasses
import time

import pytest

from epicflow.markdown import MarkdownError, parse_task, render_task
from tests.support.effort_samples import EFFORT_ERRORS, EFFORT_PATTERNS, task

FILE = "epics/export/004.md"
IDS = [name for name, *_ in EFFORT_PATTERNS]


def effort_section(text: str) -> str:
    """The lines under ``## Effort Estimate`` up to the next section, blank ends trimmed."""
    lines = text.split("## Effort Estimate\n", 1)[1].split("\n## ", 1)[0]
    return lines.strip("\n")


def frontmatter(text: str) -> list[str]:
    return sorted(text.split("---\n")[1].splitlines())


@pytest.mark.parametrize(("name", "effort", "front", "plan"), EFFORT_PATTERNS, ids=IDS)
def test_each_pattern_is_read(
    name: str, effort: str, front: str, plan: tuple[str | None, float | None, bool]
) -> None:
    doc = parse_task(task(effort, front), filename=FILE)
    assert (doc.size, doc.hours, doc.parallel) == plan


@pytest.mark.parametrize(("name", "effort", "front", "plan"), EFFORT_PATTERNS, ids=IDS)
def test_each_pattern_is_written_back_as_it_was(
    name: str, effort: str, front: str, plan: tuple[str | None, float | None, bool]
) -> None:
    text = task(effort, front)
    rendered = render_task(parse_task(text, filename=FILE))
    assert effort_section(rendered) == effort
    assert set(front.splitlines()) <= set(frontmatter(rendered))
    assert parse_task(rendered, filename=FILE) == parse_task(text, filename=FILE)


def test_a_file_in_epicflow_layout_gives_back_the_same_bytes() -> None:
    text = render_task(parse_task(task("- Size: M\n- Parallel: true"), filename=FILE))
    messy = text.replace(
        "## Effort Estimate\n\n- Size: M\n- Parallel: true\n",
        "## Effort Estimate\n\n**Size**: M (Medium)\n- Hours: 4-6 hours\n"
        "- Parallel: true (after 003)\n\nDay 1: schema; Day 2: API\n",
    )
    assert messy != text
    assert render_task(parse_task(messy, filename=FILE)) == messy


def test_canonical_sections_keep_no_text() -> None:
    doc = parse_task(task("- Size: M\n- Hours: 8\n- Parallel: true"), filename=FILE)
    assert doc.effort_text == ""


def test_an_edited_value_rewrites_only_its_own_line() -> None:
    effort = "- Size: M (Medium)\n- Hours: 4-6\n- Parallel: true (after 003)\nDay 1: schema"
    doc = parse_task(task(effort), filename=FILE)
    edited = dataclasses.replace(doc, hours=10.0)
    assert effort_section(render_task(edited)) == (
        "- Size: M (Medium)\n- Hours: 10\n- Parallel: true (after 003)\nDay 1: schema"
    )
    edited = dataclasses.replace(doc, size=None, parallel=False)
    assert effort_section(render_task(edited)) == "- Hours: 4-6\n- Parallel: false\nDay 1: schema"
    assert parse_task(render_task(edited), filename=FILE) == dataclasses.replace(
        edited, effort_text="- Hours: 4-6\n- Parallel: false\nDay 1: schema"
    )


def test_an_edit_over_a_frontmatter_estimate_is_written_in_the_section() -> None:
    doc = parse_task(task("Two days.", "effort: M (8-12 hours)\neffort_hours: 6\n"), filename=FILE)
    assert (doc.size, doc.hours) == ("M", 6.0)
    edited = dataclasses.replace(doc, size="L", hours=12.0)
    rendered = render_task(edited)
    assert effort_section(rendered) == "Two days.\n- Size: L\n- Hours: 12"
    assert "effort: M (8-12 hours)" in rendered
    reread = parse_task(rendered, filename=FILE)
    assert (reread.size, reread.hours) == ("L", 12.0)


def test_a_frontmatter_effort_that_is_not_a_size_is_kept_and_not_read() -> None:
    doc = parse_task(task("Some text.", "effort: half a day\n"), filename=FILE)
    assert (doc.size, doc.extra) == (None, {"effort": "half a day"})


def test_an_unreadable_effort_hours_is_an_error_on_its_line() -> None:
    with pytest.raises(MarkdownError) as caught:
        parse_task(task("Some text.", "effort_hours: 2 days\n"), filename=FILE)
    assert (caught.value.file, caught.value.line) == (FILE, 8)
    assert "effort_hours must be" in caught.value.message
    assert "days are not hours" in caught.value.message


def test_only_the_first_line_of_a_key_counts() -> None:
    doc = parse_task(task("- Hours: 6\n- Hours: 2 days, if the review is slow"), filename=FILE)
    assert doc.hours == 6.0


@pytest.mark.parametrize(("effort", "line", "says"), EFFORT_ERRORS)
def test_what_is_not_clear_is_an_error_naming_file_line_and_field(
    effort: str, line: int, says: str
) -> None:
    with pytest.raises(MarkdownError) as caught:
        parse_task(task(effort), filename=FILE)
    assert (caught.value.file, caught.value.line) == (FILE, line)
    assert says in caught.value.message
    written = effort.split(": ", 1)[1]
    assert repr(written) in caught.value.message


def test_a_long_effort_line_is_read_in_linear_time() -> None:
    # A value followed by a long run of spaces once took quadratic time (8 s for 40,000).
    line = "- Hours: x" + " " * 200_000 + "y"
    started = time.monotonic()
    with pytest.raises(MarkdownError):
        parse_task(task(line), filename=FILE)
    assert time.monotonic() - started < 2

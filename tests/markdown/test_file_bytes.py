"""The bytes of real files: line ends, a byte order mark, terminal escape codes and checklist
items spelled otherwise are read, and written back as the file had them."""

from __future__ import annotations

import dataclasses

import pytest

from epicflow.markdown import (
    Check,
    collect_tree,
    parse_epic,
    parse_task,
    render_epic,
    render_task,
)
from epicflow.markdown.lenient import epic_warnings, task_warnings
from tests.support import byte_samples as samples

FILE = "epics/hooks/001.md"
EPIC = "epics/hooks/epic.md"


def _round_trip(text: str) -> str:
    return render_task(parse_task(text, filename=FILE))


@pytest.mark.parametrize(
    "text",
    [samples.CRLF_TASK, samples.CR_TASK, samples.BOM_TASK, samples.ITEMS_TASK],
    ids=["crlf", "cr", "bom", "items"],
)
def test_a_task_is_written_back_byte_for_byte(text: str) -> None:
    assert _round_trip(text) == text


@pytest.mark.parametrize("text", [samples.CRLF_EPIC, samples.BOM_CRLF_EPIC], ids=["crlf", "bom"])
def test_an_epic_is_written_back_byte_for_byte(text: str) -> None:
    doc = parse_epic(text, slug="hooks", filename=EPIC)
    assert render_epic(doc) == text
    assert epic_warnings(doc, text, EPIC) == []


@pytest.mark.parametrize(
    "text", [samples.CRLF_TASK, samples.CR_TASK, samples.BOM_TASK], ids=["crlf", "cr", "bom"]
)
def test_line_ends_and_a_bom_say_nothing_else(text: str) -> None:
    doc = parse_task(text, filename=FILE)
    assert doc == parse_task(samples.LF_TASK, filename=FILE)
    assert task_warnings(doc, text, FILE) == []


def test_mixed_line_ends_keep_the_most_used_one_with_a_warning() -> None:
    doc = parse_task(samples.MIXED_TASK, filename=FILE)
    assert render_task(doc) == samples.MIXED_AS_CRLF
    (warning,) = task_warnings(doc, samples.MIXED_TASK, FILE)
    assert (warning.line, warning.code) == (3, "line_ends")
    assert "CRLF" in warning.message
    assert "LF" in warning.message.replace("CRLF", "")


def test_a_terminal_escape_code_is_removed_with_a_warning_naming_its_line() -> None:
    tree = collect_tree({FILE: samples.ESCAPED_TASK.encode()})
    (task,) = tree.epics[0].tasks
    assert task == parse_task(samples.UNESCAPED_TASK, filename=FILE)
    assert render_task(task) == samples.UNESCAPED_TASK
    assert [(w.file, w.line, w.code) for w in tree.warnings] == [
        (FILE, samples.ESCAPED_LINE, "escape_code"),
        (FILE, samples.ESCAPED_LINE, "escape_code"),
    ]
    assert "\\x1b[1;31m" in tree.warnings[0].message


def test_items_are_read_whatever_their_bullet_and_box() -> None:
    doc = parse_task(samples.ITEMS_TASK, filename=FILE)
    assert [(check.text, check.done) for check in doc.acceptance_criteria] == [
        ("Sent", True),
        ("Stored", False),
        ("Logged", True),
        ("Retried", False),
        ("Acknowledged", True),
    ]


def test_an_item_edited_since_is_written_in_our_spelling() -> None:
    doc = parse_task(samples.ITEMS_TASK, filename=FILE)
    first, second, *rest = doc.acceptance_criteria
    checks = (Check(first.text, False), Check("Kept", second.done), *rest)
    text = render_task(dataclasses.replace(doc, acceptance_criteria=checks))
    assert "\n- [ ] Sent\n- [ ] Kept\n1. [x]  Logged\n2) [ ] Retried   \n- [X] Ack" in text


def test_a_lone_cr_amid_lf_lines_ends_a_line_with_a_warning() -> None:
    """As CommonMark reads it: a line end, not a control character."""
    text = "---\nname: T\n---\n## Description\nold mac\rline\n"
    doc = parse_task(text, filename=FILE)
    assert doc.description == "old mac\nline"
    codes = [(w.line, w.code) for w in task_warnings(doc, text, FILE)]
    assert (5, "line_ends") in codes

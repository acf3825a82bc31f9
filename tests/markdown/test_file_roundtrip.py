"""Property: a file as a person's editor leaves it (``file_strategies``) parses and renders back
to the same bytes, and reads back as the same doc."""

from __future__ import annotations

from hypothesis import given, settings

from epicflow.markdown import (
    EpicDoc,
    TaskDoc,
    parse_epic,
    parse_task,
    render_epic,
    render_task,
    textfile,
)
from tests.support.file_strategies import epic_files, task_files

PROPERTY = settings(max_examples=200, deadline=None, database=None)


@PROPERTY
@given(task_files())
def test_a_task_file_parses_and_renders_to_the_same_bytes(doc: TaskDoc) -> None:
    text = render_task(doc)
    parsed = parse_task(text, filename=f"epics/x/{doc.ref}.md")
    assert parsed == doc
    assert render_task(parsed) == text
    assert textfile.first_other_line_end(text, doc.form.newline) is None
    assert text.startswith(textfile.BOM) == doc.form.bom


@PROPERTY
@given(epic_files())
def test_an_epic_file_parses_and_renders_to_the_same_bytes(doc: EpicDoc) -> None:
    text = render_epic(doc)
    parsed = parse_epic(text, slug=doc.slug, filename=f"epics/{doc.slug}/epic.md")
    assert parsed == doc
    assert render_epic(parsed) == text

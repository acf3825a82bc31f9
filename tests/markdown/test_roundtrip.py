"""Properties: render then parse gives back an equal value; rendering is deterministic, a
fixed point, and its frontmatter is plain YAML any reader loads (see strategies.py for the
domain on which this holds)."""

from __future__ import annotations

import yaml
from hypothesis import given, settings

from epicflow.markdown import (
    EpicDoc,
    TaskDoc,
    normalize_text,
    parse_epic,
    parse_task,
    render_epic,
    render_task,
)
from tests.support.markdown_strategies import epic_docs, section_text, task_docs

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def frontmatter_of(text: str) -> object:
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---\n", 3)])


@PROPERTY
@given(task_docs())
def test_task_render_then_parse_gives_the_same_task(doc: TaskDoc) -> None:
    text = render_task(doc)
    parsed = parse_task(text, filename=f"epics/x/{doc.ref}.md")
    assert parsed == doc
    assert render_task(doc) == text
    assert render_task(parsed) == text
    data = frontmatter_of(text)
    assert isinstance(data, dict)
    assert data["name"] == doc.title
    assert data["priority"] == doc.priority
    assert data["parallel"] is doc.parallel


@PROPERTY
@given(epic_docs())
def test_epic_render_then_parse_gives_the_same_epic(doc: EpicDoc) -> None:
    text = render_epic(doc)
    parsed = parse_epic(text, slug=doc.slug, filename=f"epics/{doc.slug}/epic.md")
    assert parsed == doc
    assert render_epic(parsed) == text
    data = frontmatter_of(text)
    assert isinstance(data, dict)
    assert (data["name"], data["title"]) == (doc.slug, doc.title)


@settings(deadline=None, database=None)
@given(section_text())
def test_generated_section_texts_are_normalized(text: str) -> None:
    assert normalize_text(text) == text

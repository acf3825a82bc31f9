"""Property: whatever a fork's file looked like (``Form``), render -> parse -> render gives the
same bytes and the same doc."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from epicflow.markdown import EpicDoc, TaskDoc, parse_epic, parse_task, render_epic, render_task
from epicflow.markdown.model import EPIC_STATUS_SPELLINGS, TASK_STATUS_SPELLINGS, Form
from tests.support.markdown_strategies import epic_docs, task_docs, titles

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def _words(table: dict[str, str], status: str) -> list[str]:
    return [word for word, meaning in table.items() if meaning == status]


@st.composite
def forked_tasks(draw: st.DrawFn) -> TaskDoc:
    doc = draw(task_docs())
    words = _words(TASK_STATUS_SPELLINGS, doc.status)
    number = draw(st.integers(0, 999))
    form = Form(
        layout=draw(st.sampled_from(("frontmatter", "yaml", "none"))),
        status=draw(st.none() | st.sampled_from([*words, "pending", "skipped"])),
        title_key=draw(st.sampled_from(("name", "title", "name+title"))),
        depends_key=draw(st.sampled_from(("depends_on", "dependencies"))),
        heading=draw(
            st.none()
            | st.sampled_from(
                (f"# Task {number:03}: {doc.title}", f"# {doc.title}", f"# Task #{number} - x")
            )
        ),
        name=draw(st.none() | titles),
        completed=draw(st.none() | st.sampled_from(("null", "~", "", "Null"))),
    )
    return replace(doc, form=form)


@PROPERTY
@given(forked_tasks())
def test_a_forked_task_reads_back_the_same_and_writes_the_same_bytes(doc: TaskDoc) -> None:
    text = render_task(doc)
    parsed = parse_task(text, filename=f"epics/x/{doc.ref}.md")
    assert parsed == doc
    assert render_task(parsed) == text


@st.composite
def forked_epics(draw: st.DrawFn) -> EpicDoc:
    doc = draw(epic_docs())
    words = _words(EPIC_STATUS_SPELLINGS, doc.status)
    form = Form(
        layout=draw(st.sampled_from(("frontmatter", "yaml", "none"))),
        status=draw(st.none() | st.sampled_from([*words, "complete"])),
        heading=draw(st.none() | st.just(f"# {doc.title}")),
    )
    return replace(doc, form=form)


@PROPERTY
@given(forked_epics())
def test_a_forked_epic_reads_back_the_same_and_writes_the_same_bytes(doc: EpicDoc) -> None:
    text = render_epic(doc)
    parsed = parse_epic(text, slug=doc.slug, filename=f"epics/{doc.slug}/epic.md")
    assert parsed == doc
    assert render_epic(parsed) == text

"""Nothing in a task body is lost: unknown sections, text among checklist items, nested items."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings

from epicflow.markdown import Check, TaskDoc, parse_task
from epicflow.markdown.model import Kept
from epicflow.markdown.task_render import render_task
from tests.support import section_samples as samples
from tests.support.markdown_strategies import tasks_with_kept


def roundtrip(text: str) -> str:
    return render_task(parse_task(text, filename="epics/e/001.md"))


class TestSameBytes:
    def test_unknown_sections_stay_where_they_were(self) -> None:
        assert roundtrip(samples.UNKNOWN_SECTIONS) == samples.UNKNOWN_SECTIONS

    def test_a_heading_in_another_language_after_a_checklist(self) -> None:
        assert roundtrip(samples.FOREIGN_HEADING) == samples.FOREIGN_HEADING

    def test_text_among_checklist_items(self) -> None:
        assert roundtrip(samples.TEXT_IN_CHECKLIST) == samples.TEXT_IN_CHECKLIST

    def test_nested_items(self) -> None:
        assert roundtrip(samples.NESTED_ITEMS) == samples.NESTED_ITEMS


class TestWhatIsRead:
    def test_unknown_sections_are_not_in_the_known_texts(self) -> None:
        doc = parse_task(samples.UNKNOWN_SECTIONS, filename="1.md")
        assert doc.description == "d"
        assert doc.definition_of_done == (Check("done", True),)
        assert [(kept.after, kept.text.split("\n")[0]) for kept in doc.kept] == [
            ("", "## Overview"),
            ("description", "## Implementation Details"),
            ("acceptance_criteria", "## Technical Requirements"),
            ("acceptance_criteria", "## Related Tasks"),
            ("definition_of_done", "## Conflicts"),
            ("definition_of_done", "## Priority"),
        ]

    def test_only_checklist_lines_are_items(self) -> None:
        doc = parse_task(samples.TEXT_IN_CHECKLIST, filename="1.md")
        assert doc.acceptance_criteria == (Check("a"), Check("b", True), Check("c"))
        assert [(kept.at, kept.text.split("\n")[0]) for kept in doc.kept] == [
            (0, "All of these:"),
            (2, ""),
            (3, ""),
            (1, ""),
        ]

    def test_nested_items_are_text_of_their_parent(self) -> None:
        doc = parse_task(samples.NESTED_ITEMS, filename="1.md")
        assert doc.acceptance_criteria == (Check("parent"), Check("sibling"))
        assert doc.kept == (
            Kept("acceptance_criteria", "  - [x] child\n  - plain child\n    - [ ] grandchild", 1),
        )

    def test_kept_text_is_content(self) -> None:
        plain = TaskDoc(ref="1", title="T")
        assert plain != TaskDoc(ref="1", title="T", kept=(Kept("", "## Notes\n\nx"),))


class TestOtherHeadings:
    """Headings other files give the acceptance criteria and the tests: read as those
    sections, written back as the file wrote them."""

    @pytest.mark.parametrize("heading", samples.CRITERIA_HEADINGS)
    def test_criteria_under_another_heading_are_read_and_written_back(self, heading: str) -> None:
        text = samples.with_heading(heading)
        doc = parse_task(text, filename="1.md")
        assert doc.acceptance_criteria == (Check("a"), Check("b", True))
        assert doc.kept == ()
        assert roundtrip(text) == text

    @pytest.mark.parametrize("heading", samples.TESTS_HEADINGS)
    def test_tests_under_another_heading_are_tdd_requirements(self, heading: str) -> None:
        text = samples.with_tests_heading(heading)
        doc = parse_task(text, filename="1.md")
        assert doc.tdd_requirements == "A failing test for a wrong password."
        assert doc.kept == ()
        assert roundtrip(text) == text

    def test_the_sections_own_heading_wins_and_the_other_is_kept(self) -> None:
        doc = parse_task(samples.FOREIGN_HEADING, filename="1.md")
        assert doc.acceptance_criteria == (Check("a"),)
        assert [kept.text.split("\n")[0] for kept in doc.kept] == ["## 验收标准"]

    def test_the_own_heading_wins_also_when_it_comes_later(self) -> None:
        text = samples.task(
            "## Description\n\nd\n\n## Success Criteria\n\n- [ ] early\n\n"
            "## TDD Requirements\n\n## Acceptance Criteria\n\n- [ ] a\n\n"
            "## Technical Details\n\n## Dependencies\n\n"
            + samples.EFFORT
            + "## Definition of Done\n"
        )
        doc = parse_task(text, filename="1.md")
        assert doc.acceptance_criteria == (Check("a"),)
        assert [(kept.after, kept.text.split("\n")[0]) for kept in doc.kept] == [
            ("description", "## Success Criteria")
        ]
        assert roundtrip(text) == text

    def test_a_second_other_heading_is_kept_not_merged(self) -> None:
        text = samples.with_heading("## Success Criteria").replace(
            "## Technical Details", "## Done Criteria\n\n- [ ] c\n\n## Technical Details"
        )
        doc = parse_task(text, filename="1.md")
        assert doc.acceptance_criteria == (Check("a"), Check("b", True))
        assert [kept.text.split("\n")[0] for kept in doc.kept] == ["## Done Criteria"]
        assert roundtrip(text) == text

    def test_an_edited_task_keeps_the_heading_it_was_read_with(self) -> None:
        doc = parse_task(samples.with_heading("## Success Criteria"), filename="1.md")
        edited = dataclasses.replace(doc, acceptance_criteria=(Check("new"),))
        text = render_task(edited)
        assert "## Success Criteria\n\n- [ ] new\n" in text
        assert "## Acceptance Criteria" not in text
        assert parse_task(text, filename="1.md") == edited


@pytest.mark.parametrize("name", sorted(samples.ALL))
def test_parse_render_parse_is_stable(name: str) -> None:
    doc = parse_task(samples.ALL[name], filename="1.md")
    assert parse_task(render_task(doc), filename="1.md") == doc


@settings(max_examples=200, deadline=None)
@given(tasks_with_kept())
def test_kept_parts_read_back(doc: TaskDoc) -> None:
    text = render_task(doc)
    assert parse_task(text, filename=f"{doc.ref}.md") == doc
    assert render_task(parse_task(text, filename=f"{doc.ref}.md")) == text

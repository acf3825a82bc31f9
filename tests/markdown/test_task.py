"""Parsing and rendering ccpm task files (001.md)."""

from __future__ import annotations

import dataclasses

import pytest

from epicflow.markdown import Check, TaskDoc, parse_task, render_task
from epicflow.markdown.model import Kept
from tests.support.markdown_samples import CCPM_TASK, ODD_TASK

RENDERED_CCPM_TASK = """\
---
name: Add webhook signature verification
status: open
created: 2025-08-04T13:05:40Z
updated: 2025-08-04T13:05:40Z
github: https://github.com/acme/shop/issues/1234
depends_on: [001, 010]
parallel: false
conflicts_with: [other-epic/003]
priority: 2
---

# Task: Add webhook signature verification

## Description

Verify the `Stripe-Signature` header on every incoming webhook before the payload is
trusted.

## TDD Requirements

## Acceptance Criteria

- [ ] Requests without a signature answer 400
- [x] The signing secret comes from the settings
- [ ] Replayed events older than 5 minutes are refused

## Technical Details

- `payments/webhooks.py`: a `verify_signature(payload, header, secret)` helper
- constant-time comparison (`hmac.compare_digest`)

## Dependencies

- [ ] Task 001 (webhook endpoint) must be merged

## Effort Estimate

- Size: M
- Hours: 8
- Parallel: false

## Definition of Done

- [ ] Code implemented
- [ ] Tests written and passing
- [x] Documentation updated
"""


def reparse(doc: TaskDoc) -> TaskDoc:
    return parse_task(render_task(doc), filename=f"{doc.ref}.md")


class TestCcpmTask:
    def test_every_field_is_read(self) -> None:
        doc = parse_task(CCPM_TASK, filename="epics/payment-webhooks/004.md")
        assert doc == TaskDoc(
            ref="004",
            title="Add webhook signature verification",
            status="open",
            description=(
                "Verify the `Stripe-Signature` header on every incoming webhook before the"
                " payload is\ntrusted."
            ),
            acceptance_criteria=(
                Check("Requests without a signature answer 400", False),
                Check("The signing secret comes from the settings", True),
                Check("Replayed events older than 5 minutes are refused", False),
            ),
            technical_details=(
                "- `payments/webhooks.py`: a `verify_signature(payload, header, secret)` helper\n"
                "- constant-time comparison (`hmac.compare_digest`)"
            ),
            dependencies_note="- [ ] Task 001 (webhook endpoint) must be merged",
            size="M",
            hours=8.0,
            parallel=False,
            depends_on=("001", "010"),
            conflicts_with=("other-epic/003",),
            created="2025-08-04T13:05:40Z",
            updated="2025-08-04T13:05:40Z",
            github="https://github.com/acme/shop/issues/1234",
            definition_of_done=(
                Check("Code implemented", False),
                Check("Tests written and passing", False),
                Check("Documentation updated", True),
            ),
        )

    def test_renders_in_ccpm_layout(self) -> None:
        doc = parse_task(CCPM_TASK, filename="004.md")
        assert render_task(doc) == RENDERED_CCPM_TASK

    def test_refs_keep_their_leading_zeros(self) -> None:
        # YAML 1.1 reads 010 as the octal number 8: the lists are read from their text.
        doc = parse_task(CCPM_TASK.replace("[001, 010]", "[010, 08, '7', 100]"), filename="4.md")
        assert doc.depends_on == ("010", "08", "7", "100")


class TestOddTask:
    def test_odd_spacing_crlf_bom_unicode_and_missing_sections(self) -> None:
        doc = parse_task(ODD_TASK, filename=".claude/epics/i18n/012.md")
        assert doc == TaskDoc(
            ref="012",
            title="Übersetzung der Fehlermeldungen",
            status="in_progress",
            priority=1,
            labels=("i18n", "ux: copy"),
            description="\tEine Zeile mit Tab.",
            definition_of_done=(Check("Alle Meldungen übersetzt", True),),
            size="S",
            hours=2.5,
            depends_on=("002", "other-epic/003"),
            extra={"effort": "half a day"},
            effort_text="-   size:   s\n- HOURS: 2.5h",
            # An unknown section is kept apart; the indented item is nested under the first.
            kept=(
                Kept("description", "## Notes from the meeting\nKept inside the description."),
                Kept("definition_of_done", "\n  - [ ]   Review durch Muttersprachler  ", 1),
            ),
        )

    def test_parse_render_parse_is_stable(self) -> None:
        first = parse_task(ODD_TASK, filename="012.md")
        text = render_task(first)
        assert parse_task(text, filename="012.md") == first
        assert render_task(parse_task(text, filename="012.md")) == text


class TestTitle:
    def test_heading_wins_over_name(self) -> None:
        doc = parse_task("---\nname: From name\n---\n# Task: From heading\n", filename="1.md")
        assert doc.title == "From heading"

    def test_name_when_no_heading(self) -> None:
        assert parse_task("---\nname: Only name\n---\n", filename="1.md").title == "Only name"

    def test_heading_without_task_prefix(self) -> None:
        assert parse_task("# Wire the queue\n", filename="1.md").title == "Wire the queue"

    def test_only_one_task_prefix_is_dropped(self) -> None:
        doc = TaskDoc(ref="1", title="Task: review")
        assert "# Task: Task: review" in render_task(doc)
        assert reparse(doc).title == "Task: review"


class TestStatus:
    @pytest.mark.parametrize(
        ("written", "status"),
        [
            ("open", "open"),
            ("in-progress", "in_progress"),
            ("in_progress", "in_progress"),
            ("In-Progress", "in_progress"),
            ("closed", "done"),
            ("done", "done"),
            ("completed", "done"),
            ("blocked", "blocked"),
            ("cancelled", "cancelled"),
            ("canceled", "cancelled"),
        ],
    )
    def test_spellings(self, written: str, status: str) -> None:
        text = f"---\nname: T\nstatus: {written}\n---\n"
        assert parse_task(text, filename="1.md").status == status

    def test_missing_status_is_open(self) -> None:
        assert parse_task("---\nname: T\n---\n", filename="1.md").status == "open"

    @pytest.mark.parametrize(
        ("status", "ccpm", "extra"),
        [
            ("open", "open", None),
            ("in_progress", "in-progress", None),
            ("done", "closed", None),
            ("blocked", "open", "blocked"),
            ("cancelled", "closed", "cancelled"),
        ],
    )
    def test_export_writes_ccpm_spellings(self, status: str, ccpm: str, extra: str | None) -> None:
        text = render_task(TaskDoc(ref="1", title="T", status=status))
        assert f"\nstatus: {ccpm}\n" in text
        assert ("epicflow_status" in text) == (extra is not None)
        if extra:
            assert f"\nepicflow_status: {extra}\n" in text
        assert parse_task(text, filename="1.md").status == status

    def test_a_hand_edited_ccpm_status_wins_over_a_stale_epicflow_status(self) -> None:
        text = "---\nname: T\nstatus: in-progress\nepicflow_status: cancelled\n---\n"
        assert parse_task(text, filename="1.md").status == "in_progress"


class TestFields:
    def test_epicflow_fields_go_to_extra_frontmatter_keys(self) -> None:
        doc = TaskDoc(
            ref="7",
            title="Ship it",
            priority=0,
            labels=("backend", "needs: review"),
            assignee="0b8e4f3e-5a0c-4d8e-9a43-1c1c1c1c1c1c",
            key="WEB-12",
            extra={"epic": "payments", "estimate_source": "planning poker"},
        )
        text = render_task(doc)
        assert "\nkey: WEB-12\npriority: 0\nlabels: [backend, 'needs: review']\n" in text
        assert "\nassignee: 0b8e4f3e-5a0c-4d8e-9a43-1c1c1c1c1c1c\n" in text
        assert "\nepic: payments\nestimate_source: planning poker\n" in text
        assert reparse(doc) == doc

    def test_priority_words(self) -> None:
        words = {"critical": 0, "urgent": 0, "high": 1, "medium": 2, "normal": 2, "low": 3}
        words |= {"P0": 0, "p3": 3, "'4'": 4}
        for word, number in words.items():
            text = f"---\nname: T\npriority: {word}\n---\n"
            assert parse_task(text, filename="1.md").priority == number

    def test_parallel_in_frontmatter_wins_over_the_body(self) -> None:
        text = "---\nname: T\nparallel: false\n---\n## Effort Estimate\n- Parallel: true\n"
        assert parse_task(text, filename="1.md").parallel is False
        text = "---\nname: T\n---\n## Effort Estimate\n- Parallel: no\n"
        assert parse_task(text, filename="1.md").parallel is False

    def test_hours_forms(self) -> None:
        for written, hours in [("8", 8.0), ("2.5h", 2.5), ("4 hours", 4.0), ("0", 0.0)]:
            text = f"# Task: T\n## Effort Estimate\n- Hours: {written}\n"
            assert parse_task(text, filename="1.md").hours == hours

    def test_empty_estimate_lines_are_unset(self) -> None:
        doc = parse_task("# Task: T\n## Effort Estimate\n- Size:\n- Hours:\n", filename="1.md")
        assert (doc.size, doc.hours) == (None, None)

    def test_empty_lists_in_any_spelling(self) -> None:
        for empty in ("[]", "", "~", "''"):
            text = f"---\nname: T\ndepends_on: {empty}\nlabels: {empty}\n---\n"
            doc = parse_task(text, filename="1.md")
            assert (doc.depends_on, doc.labels) == ((), ())

    def test_duplicate_labels_and_refs_are_dropped(self) -> None:
        text = "---\nname: T\nlabels: [a, b, a]\ndepends_on: [002, 002, 003]\n---\n"
        doc = parse_task(text, filename="1.md")
        assert (doc.labels, doc.depends_on) == (("a", "b"), ("002", "003"))

    def test_only_top_level_boxes_in_a_checklist_are_items(self) -> None:
        text = (
            "# Task: T\n## Acceptance Criteria\nAll of:\n- first\n  - [x] nested\n1. [ ] numbered\n"
        )
        doc = parse_task(text, filename="1.md")
        assert doc.acceptance_criteria == (Check("numbered", False),)
        assert doc.kept == (Kept("acceptance_criteria", "All of:\n- first\n  - [x] nested", 0),)

    def test_text_before_the_first_section_joins_the_description(self) -> None:
        text = "# Task: T\nIntro line.\n\n## Description\nBody.\n"
        assert parse_task(text, filename="1.md").description == "Intro line.\n\nBody."

    def test_known_headings_inside_a_section_are_escaped(self) -> None:
        doc = TaskDoc(ref="1", title="T", description="Pasted:\n## Acceptance Criteria\n- [ ] x")
        text = render_task(doc)
        assert "\n\\## Acceptance Criteria\n" in text
        assert reparse(doc) == doc

    def test_render_normalizes_what_markdown_cannot_hold(self) -> None:
        doc = TaskDoc(
            ref="1",
            title="T",
            description="\n\n  \nBody\r\nline\n\n",
            acceptance_criteria=(Check("  two\nlines ", True), Check(" \n ", False)),
        )
        assert reparse(doc) == dataclasses.replace(
            doc, description="Body\nline", acceptance_criteria=(Check("two lines", True),)
        )

    def test_no_frontmatter_at_all(self) -> None:
        doc = parse_task("# Task: Bare\n\n## Description\nx\n", filename="3.md")
        assert (doc.title, doc.description, doc.status, doc.priority) == ("Bare", "x", "open", 2)

"""Parsing and rendering ccpm epic files (epic.md)."""

from __future__ import annotations

import pytest

from epicflow.markdown import EpicDoc, parse_epic, render_epic
from tests.support.markdown_samples import CCPM_EPIC

RENDERED_CCPM_EPIC = """\
---
name: payment-webhooks
status: in-progress
created: 2025-08-01T09:00:00Z
updated: 2025-08-05T10:30:00Z
prd: .claude/prds/payment-webhooks.md
github: https://github.com/acme/shop/issues/1200
title: Payment webhooks
progress: 40%
---

# Epic: Payment webhooks

## Overview
Receive Stripe webhooks and reconcile payments.

## Architecture Decisions
- One endpoint, one queue
"""


def test_ccpm_epic_is_read() -> None:
    doc = parse_epic(CCPM_EPIC, slug="payment-webhooks", filename="epics/payment-webhooks/epic.md")
    assert doc == EpicDoc(
        slug="payment-webhooks",
        title="Payment webhooks",
        description=(
            "## Overview\nReceive Stripe webhooks and reconcile payments.\n\n"
            "## Architecture Decisions\n- One endpoint, one queue"
        ),
        status="in_progress",
        prd=".claude/prds/payment-webhooks.md",
        github="https://github.com/acme/shop/issues/1200",
        created="2025-08-01T09:00:00Z",
        updated="2025-08-05T10:30:00Z",
        extra={"progress": "40%"},
    )


def test_ccpm_epic_renders_in_ccpm_layout_and_is_stable() -> None:
    doc = parse_epic(CCPM_EPIC, slug="payment-webhooks", filename="epic.md")
    text = render_epic(doc)
    assert text == RENDERED_CCPM_EPIC
    assert parse_epic(text, slug="payment-webhooks", filename="epic.md") == doc


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("---\nname: x\ntitle: From frontmatter\n---\n# Epic: From heading\n", "From heading"),
        ("---\nname: x\ntitle: From frontmatter\n---\nNo heading here.\n", "From frontmatter"),
        ("---\nname: x\n---\nNo heading.\n", "the-slug"),
        ("# Plain heading\n", "Plain heading"),
        ("Intro.\n\n# Epic: Later heading\nBody\n", "Later heading"),
        ("```sh\n# a shell comment\n```\n", "the-slug"),
        ("# Epic:\n", "the-slug"),
    ],
)
def test_title_fallbacks(text: str, title: str) -> None:
    assert parse_epic(text, slug="the-slug", filename="epic.md").title == title


def test_the_title_heading_is_taken_out_of_the_description() -> None:
    doc = parse_epic("Intro.\n\n# Epic: T\nBody\n", slug="s", filename="epic.md")
    assert doc.description == "Intro.\n\nBody"


def test_the_folder_slug_wins_over_frontmatter_name() -> None:
    doc = parse_epic("---\nname: old-name\n---\n", slug="new-name", filename="epic.md")
    assert doc.slug == "new-name"
    assert "name" not in doc.extra


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("backlog", "backlog"),
        ("in-progress", "in_progress"),
        ("in_progress", "in_progress"),
        ("completed", "completed"),
        ("done", "completed"),
        ("closed", "completed"),
        ("cancelled", "cancelled"),
        ("canceled", "cancelled"),
    ],
)
def test_status_spellings(written: str, status: str) -> None:
    doc = parse_epic(f"---\nstatus: {written}\n---\n", slug="s", filename="epic.md")
    assert doc.status == status


def test_missing_status_is_backlog() -> None:
    assert parse_epic("# Epic: T\n", slug="s", filename="epic.md").status == "backlog"


def test_cancelled_exports_as_completed_plus_an_extra_key() -> None:
    text = render_epic(EpicDoc(slug="s", title="T", status="cancelled"))
    assert "\nstatus: completed\n" in text
    assert "\nepicflow_status: cancelled\n" in text
    assert parse_epic(text, slug="s", filename="epic.md").status == "cancelled"


def test_description_may_hold_any_heading() -> None:
    doc = EpicDoc(slug="s", title="T", description="# Epic: Another\n## Description\n# x")
    assert parse_epic(render_epic(doc), slug="s", filename="epic.md") == doc


def test_prd_may_be_several_lines_of_text() -> None:
    doc = EpicDoc(slug="s", title="T", prd="Why: churn.\n\nWhat: a retry queue.")
    text = render_epic(doc)
    assert '\nprd: "Why: churn.\\n\\nWhat: a retry queue."\n' in text
    assert parse_epic(text, slug="s", filename="epic.md") == doc

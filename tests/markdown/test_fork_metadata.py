"""Metadata as forks of ccpm write it: each is read, and written back byte for byte."""

from __future__ import annotations

import pytest

from epicflow.markdown import MarkdownError, parse_epic, parse_task, render_epic, render_task
from tests.support import fork_samples as samples

FILE = "epics/pay/004.md"


def roundtrip(text: str) -> str:
    return render_task(parse_task(text, filename=FILE))


@pytest.mark.parametrize(
    ("written", "status"),
    [
        ("pending", "open"),
        ("backlog", "open"),
        ("not_started", "open"),
        ("todo", "open"),
        ("complete", "done"),
        ("completed", "done"),
        ("skipped", "cancelled"),
        ("partial", "in_progress"),
    ],
)
def test_fork_statuses_map_to_ours_and_are_written_back_as_spelled(
    written: str, status: str
) -> None:
    text = samples.status_task(written)
    assert parse_task(text, filename=FILE).status == status
    assert roundtrip(text) == text


def test_a_status_edited_in_epicflow_is_written_in_our_spelling() -> None:
    doc = parse_task(samples.status_task("pending"), filename=FILE)
    edited = render_task(doc.__class__(**{**doc.__dict__, "status": "done"}))
    assert "\nstatus: closed\n" in edited


def test_epic_complete_is_completed_and_written_back() -> None:
    doc = parse_epic(samples.EPIC_COMPLETE, slug="payments", filename="epics/payments/epic.md")
    assert doc.status == "completed"
    assert render_epic(doc) == samples.EPIC_COMPLETE


@pytest.mark.parametrize("spelling", ["null", "~", ""])
def test_completed_null_means_no_completion_time(spelling: str) -> None:
    text = samples.COMPLETED_NULL[spelling]
    assert "completed" not in parse_task(text, filename=FILE).extra
    assert roundtrip(text) == text


def test_title_key_is_read_and_written_back() -> None:
    assert parse_task(samples.TITLE_KEY, filename=FILE).title == "Wire the webhook"
    assert roundtrip(samples.TITLE_KEY) == samples.TITLE_KEY


def test_dependencies_key_is_read_and_written_back() -> None:
    doc = parse_task(samples.DEPENDENCIES_KEY, filename=FILE)
    assert doc.depends_on == ("001", "002")
    assert roundtrip(samples.DEPENDENCIES_KEY) == samples.DEPENDENCIES_KEY


def test_name_and_title_that_disagree_is_an_error_naming_both() -> None:
    with pytest.raises(MarkdownError) as caught:
        parse_task(samples.NAME_AND_TITLE, filename=FILE)
    assert (caught.value.file, caught.value.line) == (FILE, 3)
    assert "name:" in caught.value.message
    assert "title:" in caught.value.message


def test_numbered_heading_prefix_is_not_part_of_the_name() -> None:
    assert parse_task(samples.NUMBERED_HEADING, filename=FILE).title == "Wire the webhook"
    assert roundtrip(samples.NUMBERED_HEADING) == samples.NUMBERED_HEADING


def test_a_heading_that_disagrees_with_name_is_kept() -> None:
    assert parse_task(samples.HEADING_DISAGREES, filename=FILE).title == "Wire the webhook"
    assert roundtrip(samples.HEADING_DISAGREES) == samples.HEADING_DISAGREES


def test_a_yaml_block_under_the_heading_is_read_and_written_back() -> None:
    doc = parse_task(samples.YAML_BLOCK, filename=FILE)
    assert (doc.title, doc.status, doc.depends_on, doc.priority) == (
        "Wire the webhook",
        "open",
        ("001",),
        1,
    )
    assert roundtrip(samples.YAML_BLOCK) == samples.YAML_BLOCK


@pytest.mark.parametrize("text", [samples.NO_METADATA, samples.PLAIN_HEADING])
def test_a_file_without_metadata_takes_its_name_from_the_heading(text: str) -> None:
    doc = parse_task(text, filename=FILE)
    assert (doc.title, doc.status) == ("Wire the webhook", "open")
    assert roundtrip(text) == text


def test_metadata_added_in_epicflow_gives_a_file_without_metadata_frontmatter() -> None:
    doc = parse_task(samples.NO_METADATA, filename=FILE)
    text = render_task(doc.__class__(**{**doc.__dict__, "priority": 0}))
    assert text.startswith("---\n")
    assert "\npriority: 0\n" in text


def test_an_unknown_status_names_file_line_and_what_is_accepted() -> None:
    with pytest.raises(MarkdownError) as caught:
        parse_task(samples.status_task("halfway"), filename=FILE)
    assert (caught.value.file, caught.value.line) == (FILE, 3)
    assert "halfway" in caught.value.message
    assert "pending" in caught.value.message


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("# Task #4 - Wire it", "Wire it"),
        ("# task 12. Wire it", "Wire it"),
        ("# Task 3-point plan", "Task 3-point plan"),
    ],
)
def test_only_a_numbered_task_prefix_is_dropped(heading: str, title: str) -> None:
    text = samples.NO_METADATA.replace("# Task 004: Wire the webhook", heading)
    assert parse_task(text, filename=FILE).title == title
    assert roundtrip(text) == text


def test_name_and_title_that_agree_are_both_written_back() -> None:
    assert roundtrip(samples.NAME_AND_SAME_TITLE) == samples.NAME_AND_SAME_TITLE


@pytest.mark.parametrize("text", [samples.EPIC_YAML_BLOCK, samples.EPIC_NO_METADATA])
def test_an_epic_with_a_yaml_block_or_no_metadata_is_written_back_as_it_came(text: str) -> None:
    doc = parse_epic(text, slug="payments", filename="epics/payments/epic.md")
    assert (doc.title, doc.description) == ("Payments", "Take money.")
    assert render_epic(doc) == text


def test_a_yaml_example_under_the_heading_without_known_keys_stays_content() -> None:
    text = "# Deploy settings\n\n```yaml\nreplicas: 3\n```\n"
    doc = parse_epic(text, slug="deploy", filename="epics/deploy/epic.md")
    assert doc.description == "```yaml\nreplicas: 3\n```"
    assert doc.extra == {}

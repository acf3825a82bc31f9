"""github-mapping.md: what each line written by ccpm or a fork says about a task's numbers."""

from __future__ import annotations

import pytest

from epicflow.markdown.mapping import Entry, parse_mapping
from tests.support.ref_samples import ARROW_MAPPING, CCPM_MAPPING, SHORT_TABLE, TABLE_MAPPING

FILE = "epics/api/github-mapping.md"


def test_ccpm_lines_give_the_issue_number_and_title() -> None:
    mapping = parse_mapping(CCPM_MAPPING, FILE)
    assert mapping.entries == (
        Entry("1234", None, "Set up the schema", 6),
        Entry("1235", None, "Write the API", 7),
    )
    assert mapping.file == FILE


def test_a_table_of_files_gives_the_number_before_the_sync() -> None:
    mapping = parse_mapping(TABLE_MAPPING, FILE)
    assert [(e.number, e.old, e.line) for e in mapping.renames()] == [
        ("1234", "001", 10),
        ("1235", "002", 11),
    ]
    assert mapping.entries[0] == Entry("1234", None, "Set up the schema", 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ARROW_MAPPING, [("1234", "001", 3), ("1235", "002", 4)]),
        (SHORT_TABLE, [("1234", "001", 3), ("1235", "002", 4)]),
        ("| Issue | Old file |\n|-|-|\n| #1234 | 001.md |\n", [("1234", "001", 3)]),
        ("001.md => 1234.md\n", [("1234", "001", 1)]),
    ],
)
def test_old_to_new_as_forks_write_it(text: str, expected: list[tuple[str, str, int]]) -> None:
    found = parse_mapping(text, FILE).renames()
    assert [(e.number, e.old, e.line) for e in found] == expected


def test_lookups_compare_numbers_not_spellings() -> None:
    mapping = parse_mapping(ARROW_MAPPING, FILE)
    assert [e.number for e in mapping.renamed_from(1)] == ["1234"]
    assert [e.old for e in mapping.renamed_to(1235)] == ["002"]
    assert parse_mapping(CCPM_MAPPING, FILE).titled(1235) == [
        Entry("1235", None, "Write the API", 7)
    ]


def test_lines_that_say_nothing_of_tasks_are_left_alone() -> None:
    text = "# Mapping\n\nEpic: #12 - https://github.com/o/r/issues/12\n"
    text += "Synced: 2025-08-01\n\n| a | b |\n"
    assert parse_mapping(text, FILE).entries == ()
    assert parse_mapping("- **Issue #1**: Epic: shop\n", FILE).entries == ()

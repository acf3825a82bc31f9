"""Task files with what real ccpm epics hold beyond the seven known sections: each written as
epicflow writes a task, so that parse then render must give back the same bytes."""

from __future__ import annotations

HEAD = """\
---
name: T
status: open
depends_on: []
parallel: true
conflicts_with: []
priority: 2
---

# Task: T

"""

EFFORT = "## Effort Estimate\n\n- Size: S\n- Hours: 2\n- Parallel: true\n\n"


def task(body: str) -> str:
    return HEAD + body


# Unknown sections between known ones, one before the first and one at the very end.
UNKNOWN_SECTIONS = task(
    "## Overview\n\nWhy this task exists.\n\n"
    "## Description\n\nd\n\n"
    "## Implementation Details\n\n- step one\n\n  more about it\n\n"
    "## TDD Requirements\n\n"
    "## Acceptance Criteria\n\n- [ ] a\n\n"
    "## Technical Requirements\n\nPython 3.12\n\n"
    "## Related Tasks\n\n- 002\n\n"
    "## Technical Details\n\n## Dependencies\n\n"
    + EFFORT
    + "## Definition of Done\n\n- [x] done\n\n"
    "## Conflicts\n\nNone.\n\n"
    "## Priority\n\nHigh\n"
)

# A heading in another language, right after a checklist.
FOREIGN_HEADING = task(
    "## Description\n\nd\n\n## TDD Requirements\n\n"
    "## Acceptance Criteria\n\n- [ ] a\n\n"
    "## 验收标准\n\n- 所有测试通过\n\n"
    "## Technical Details\n\n## Dependencies\n\n" + EFFORT + "## Definition of Done\n"
)

# Prose, a sub-heading, a table and a code fence (with a `##` line inside) among the items.
TEXT_IN_CHECKLIST = task(
    "## Description\n\nd\n\n## TDD Requirements\n\n"
    "## Acceptance Criteria\n\nAll of these:\n\n- [ ] a\n- [x] b\n\n"
    "### Performance\n\n| case | ms |\n|------|----|\n| p95  | 50 |\n\n- [ ] c\n\n"
    "```bash\n# run it\nmake check\n```\n\n"
    "## Technical Details\n\n## Dependencies\n\n"
    + EFFORT
    + "## Definition of Done\n\n- [ ] d\n\nSign-off by the team lead.\n"
)

# Nested items (boxes and plain bullets) under an item keep their nesting.
NESTED_ITEMS = task(
    "## Description\n\nd\n\n## TDD Requirements\n\n"
    "## Acceptance Criteria\n\n- [ ] parent\n  - [x] child\n  - plain child\n"
    "    - [ ] grandchild\n- [ ] sibling\n\n"
    "## Technical Details\n\n## Dependencies\n\n" + EFFORT + "## Definition of Done\n"
)

ALL = {
    "unknown_sections": UNKNOWN_SECTIONS,
    "foreign_heading": FOREIGN_HEADING,
    "text_in_checklist": TEXT_IN_CHECKLIST,
    "nested_items": NESTED_ITEMS,
}


def with_heading(heading: str, items: str = "- [ ] a\n- [x] b") -> str:
    """A task whose acceptance criteria (or TDD requirements) stand under ``heading``."""
    return task(
        "## Description\n\nd\n\n## TDD Requirements\n\n"
        f"{heading}\n\n{items}\n\n"
        "## Technical Details\n\n## Dependencies\n\n" + EFFORT + "## Definition of Done\n"
    )


def with_tests_heading(heading: str, text: str = "A failing test for a wrong password.") -> str:
    return task(
        "## Description\n\nd\n\n"
        f"{heading}\n\n{text}\n\n"
        "## Acceptance Criteria\n\n- [ ] a\n\n"
        "## Technical Details\n\n## Dependencies\n\n" + EFFORT + "## Definition of Done\n"
    )


# Headings files use for the acceptance criteria, and for the tests to write first.
CRITERIA_HEADINGS = (
    "## Acceptance Tests",
    "## Success Criteria",
    "## Done Criteria",
    "## Criteria",
    "## 验收标准",
    "## Kriterien",
    "## Akzeptanzkriterien",
    "## success criteria:",
)
TESTS_HEADINGS = ("## Testing", "## Tests", "## Test Plan", "## Test Strategy")

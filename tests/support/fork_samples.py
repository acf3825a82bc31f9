"""ccpm task and epic files as forks of ccpm write their metadata: other status words, other
keys, a fenced yaml block or no metadata at all, numbered headings. Each is otherwise in the form
export writes, so that import -> export must give back the same bytes."""

from __future__ import annotations

_SECTIONS = """\
## Description

Do the thing.

## TDD Requirements

## Acceptance Criteria

- [ ] It works

## Technical Details

## Dependencies

## Effort Estimate

- Size: S
- Parallel: true

## Definition of Done
"""


def fork_task(frontmatter: str, heading: str = "# Task: Wire the webhook") -> str:
    """A task file: the given frontmatter lines (between ``---``), a heading, the sections."""
    return f"---\n{frontmatter}---\n\n{heading}\n\n{_SECTIONS}"


def status_task(status: str) -> str:
    return fork_task(
        f"name: Wire the webhook\nstatus: {status}\n"
        "depends_on: []\nparallel: true\nconflicts_with: []\npriority: 2\n"
    )


COMPLETED_NULL = {
    spelling: fork_task(
        "name: Wire the webhook\nstatus: open\ndepends_on: []\nparallel: true\n"
        f"conflicts_with: []\npriority: 2\ncompleted:{' ' + spelling if spelling else ''}\n"
    )
    for spelling in ("null", "~", "")
}

TITLE_KEY = fork_task(
    "title: Wire the webhook\nstatus: open\n"
    "depends_on: []\nparallel: true\nconflicts_with: []\npriority: 2\n"
)

DEPENDENCIES_KEY = fork_task(
    "name: Wire the webhook\nstatus: open\n"
    "dependencies: [001, 002]\nparallel: true\nconflicts_with: []\npriority: 2\n"
)

NAME_AND_TITLE = fork_task(
    "name: Wire the webhook\ntitle: Wire the hooks\nstatus: open\n"
    "depends_on: []\nparallel: true\nconflicts_with: []\npriority: 2\n"
)

NUMBERED_HEADING = fork_task(
    "name: Wire the webhook\nstatus: open\n"
    "depends_on: []\nparallel: true\nconflicts_with: []\npriority: 2\n",
    heading="# Task 004: Wire the webhook",
)

NAME_AND_SAME_TITLE = fork_task(
    "name: Wire the webhook\ntitle: Wire the webhook\nstatus: open\n"
    "depends_on: []\nparallel: true\nconflicts_with: []\npriority: 2\n"
)

HEADING_DISAGREES = fork_task(
    "name: Wire the hook\nstatus: open\n"
    "depends_on: []\nparallel: true\nconflicts_with: []\npriority: 2\n",
    heading="# Task 004: Wire the webhook",
)

YAML_BLOCK = (
    "# Task 004: Wire the webhook\n\n```yaml\nname: Wire the webhook\nstatus: pending\n"
    "depends_on: [001]\nparallel: true\nconflicts_with: []\npriority: 1\n```\n\n" + _SECTIONS
)

NO_METADATA = "# Task 004: Wire the webhook\n\n" + _SECTIONS
PLAIN_HEADING = "# Wire the webhook\n\n" + _SECTIONS

EPIC_COMPLETE = """\
---
name: payments
status: complete
title: Payments
---

# Epic: Payments

Take money.
"""

EPIC_YAML_BLOCK = """\
# Payments

```yaml
name: payments
status: in_progress
title: Payments
```

Take money.
"""

EPIC_NO_METADATA = "# Payments\n\nTake money.\n"

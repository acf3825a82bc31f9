"""github-mapping.md files as ccpm and its forks write them after a GitHub sync, and task files
whose refs are written as people write them."""

from __future__ import annotations

# ccpm's own: the issue number and title of each task, no pre-sync number.
CCPM_MAPPING = """\
# GitHub Issue Mapping

Epic: #1230 - https://github.com/o/r/issues/1230

Tasks:
- #1234: Set up the schema - https://github.com/o/r/issues/1234
- #1235: Write the API - https://github.com/o/r/issues/1235

Synced: 2025-08-01T09:00:00Z
"""
# A fork's: bold numbers, and a table of the files before and after.
TABLE_MAPPING = """\
# GitHub Issue Mapping

## Tasks
- **#1234**: Set up the schema - https://github.com/o/r/issues/1234
- **#1235**: Write the API - https://github.com/o/r/issues/1235

## File Mappings
| Original File | New File | Issue # | Task Title |
|---------------|----------|---------|------------|
| 001-set-up-the-schema.md | 1234.md | #1234 | Set up the schema |
| 002.md | 1235.md | #1235 | Write the API |
"""
# Lines recording old -> new.
ARROW_MAPPING = """\
# GitHub Issue Mapping

- 001.md → #1234
- 002 -> 1235: Write the API
"""
SHORT_TABLE = """\
| Task | Issue |
| --- | --- |
| 001 | 1234 |
| 002 | 1235 |
"""

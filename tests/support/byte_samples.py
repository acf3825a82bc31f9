"""Files as editors and terminals leave them: other line ends, a byte order mark, escape codes
pasted from a terminal, checklist items spelled otherwise. Each is otherwise in the form export
writes, so that import -> export must give back the same bytes (escape codes aside: removed)."""

from __future__ import annotations

from tests.support.fork_samples import fork_task

_TIMES = "created: 2025-08-01T09:00:00Z\nupdated: 2025-08-01T09:00:00Z\n"
_FRONT = (
    f"name: Wire the webhook\nstatus: open\n{_TIMES}"
    "depends_on: []\nparallel: true\nconflicts_with: []\npriority: 2\n"
)
LF_TASK = fork_task(_FRONT)
LF_EPIC = (
    f"---\nname: hooks\nstatus: backlog\n{_TIMES}title: Hooks\nprogress: 0%\n---\n\n"
    "# Epic: Hooks\n\nHooks for payments.\n"
)

CRLF_TASK = LF_TASK.replace("\n", "\r\n")
CRLF_EPIC = LF_EPIC.replace("\n", "\r\n")
# Classic Mac OS line ends: a lone CR ends each line.
CR_TASK = LF_TASK.replace("\n", "\r")
BOM_TASK = "\ufeff" + LF_TASK
BOM_CRLF_EPIC = "\ufeff" + CRLF_EPIC
# Mostly CRLF, with two lines (the 3rd and the last) ended by LF alone.
_lines = LF_TASK.split("\n")
MIXED_TASK = "\r\n".join(_lines[:3]) + "\n" + "\r\n".join(_lines[3:-2]) + "\n" + _lines[-2] + "\n"
MIXED_AS_CRLF = CRLF_TASK

# `* [X]`, `+ [ ]`, `1. [x]`, `- [X]`, an extra space, trailing spaces: items as people type them.
ITEMS_TASK = LF_TASK.replace(
    "- [ ] It works\n",
    "* [X] Sent\n+ [ ] Stored\n1. [x]  Logged\n2) [ ] Retried   \n- [X] Acknowledged\n",
)

# A colour code pasted with the text it coloured, in the description (line 16 of the file).
ESCAPED_TASK = LF_TASK.replace("Do the thing.", "Do the \x1b[1;31mthing\x1b[0m.")
ESCAPED_LINE = 16
UNESCAPED_TASK = LF_TASK


def keyed(text: str, key: str) -> str:
    """A task file with its ``key:`` (export writes the key a task was given)."""
    end = "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
    return text.replace("priority: 2", f"key: {key}{end}priority: 2", 1)

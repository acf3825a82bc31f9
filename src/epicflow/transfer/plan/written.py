"""A file as it was written, and when export may write it back byte for byte. Pure.

An import keeps each epic and task file's bytes with a check: a digest of what the file's
text depends on in the database. Export writes the kept bytes while the check still holds
(nothing the file shows was edited since), and renders the file from the fields otherwise.

- A task's check: its version (every change to a task, by the API, a claim or an import, moves
  it on), where it is written (``<folder>/<ref>``) and where the tasks it names in
  ``depends_on`` / ``conflicts_with`` are written (a dependency added from the other side, or
  a file renamed, changes no version of its own).
- An epic's check: its fields, times and kept metadata, and its progress (derived from its
  tasks, written in ``progress:``).

Each check covers the bytes too, so an import tells a file it has already kept from a new one
by the checks alone: only export reads the bytes back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any


def _digest(values: object) -> str:
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def task_check(
    data: bytes,
    version: int,
    path: str | None,
    depends_on: Iterable[str],
    conflicts_with: Iterable[str],
) -> str:
    """The check of a task file's bytes ``data``: it holds for these bytes and this state only
    (so an import compares checks, and needs no stored bytes)."""
    state = ["task", version, path, sorted(depends_on), sorted(conflicts_with)]
    return _digest([hashlib.sha256(data).hexdigest(), state])


def epic_check(
    data: bytes,
    content: Mapping[str, Any],
    times: Mapping[str, datetime | None],
    github: str | None,
    extra: Mapping[str, str],
    progress: str | None,
) -> str:
    moments = {name: times.get(name) for name in ("created_at", "updated_at")}
    state = ["epic", dict(content), moments, github, dict(extra), progress]
    return _digest([hashlib.sha256(data).hexdigest(), state])


def progress(statuses: Iterable[str]) -> str:
    """An epic's progress as ``progress:`` writes it: done / (all - cancelled), in percent."""
    counted = done = 0
    for status in statuses:
        counted += status != "cancelled"
        done += status == "done"
    return f"{round(done / counted * 100) if counted else 0}%"

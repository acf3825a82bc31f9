"""Which file each task is written to on export, and so which name a ref in a file means.

A task keeps the ``<epic-slug>/<file>`` it was imported from while it stays in that epic; the
others are numbered within their epic folder (``001``, ``002``...) in key order, skipping the
numbers already taken. Deterministic: the same project always exports to the same names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from epicflow.markdown import UNASSIGNED
from epicflow.transfer.plan.inputs import Snapshot, StoredTask


def folder_of(snapshot: Snapshot, task: StoredTask) -> str:
    return snapshot.epic_slug(task.epic_id) or UNASSIGNED


def _kept_ref(task: StoredTask, folder: str) -> str | None:
    if task.path is None:
        return None
    slug, _, ref = task.path.partition("/")
    return ref if slug == folder else None


def _number(tasks: Iterable[StoredTask], folder: str) -> dict[int, str]:
    refs: dict[int, str] = {}
    taken: set[str] = set()
    rest = []
    for task in tasks:
        ref = _kept_ref(task, folder)
        if ref is not None and ref not in taken:
            refs[task.id] = ref
            taken.add(ref)
        else:
            rest.append(task)
    counter = 0
    for task in rest:
        counter += 1
        while f"{counter:03d}" in taken:
            counter += 1
        refs[task.id] = f"{counter:03d}"
    return refs


def export_refs(snapshot: Snapshot) -> dict[int, tuple[str, str]]:
    """Task id -> (folder, ref): the task is written to ``epics/<folder>/<ref>.md``."""
    groups: dict[str, list[StoredTask]] = defaultdict(list)
    for task in sorted(snapshot.tasks.values(), key=lambda t: t.number):
        groups[folder_of(snapshot, task)].append(task)
    out: dict[int, tuple[str, str]] = {}
    for folder, tasks in groups.items():
        out.update((task_id, (folder, ref)) for task_id, ref in _number(tasks, folder).items())
    return out


def export_paths(snapshot: Snapshot) -> dict[int, str]:
    """Task id -> ``<folder>/<ref>``, the name a file elsewhere uses for the task."""
    return {task_id: f"{folder}/{ref}" for task_id, (folder, ref) in export_refs(snapshot).items()}


def ref_texts(paths: Iterable[str], folder: str) -> tuple[str, ...]:
    """How export writes refs to the files ``paths`` (``<folder>/<ref>``) in a file of
    ``folder``: same-folder refs first (``003``), then the others by folder (``web/002``); by
    number within each."""
    found = sorted(
        (path.rsplit("/", 1) for path in paths),
        key=lambda ref: (ref[0] != folder, ref[0], int(ref[1]), ref[1]),
    )
    return tuple(ref if home == folder else f"{home}/{ref}" for home, ref in found)

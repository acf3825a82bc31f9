"""Where export writes an epic's folder, and the files beside its tasks. Pure.

An epic read from ``archived/<slug>/`` (``ARCHIVED`` in its stored extras) is written back to
``epics/archived/<slug>/``, every other one to ``epics/<slug>/``; the files beside the tasks go
back into their epic's folder at the path they came from, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from epicflow.markdown.beside import ARCHIVED as ARCHIVED_FOLDER
from epicflow.markdown.errors import MarkdownError
from epicflow.transfer.plan.inputs import ARCHIVED, Meta, Snapshot

ROOT = "epics"


T = TypeVar("T")


def epic_folders(epics: Iterable[tuple[int, str, Meta | None]]) -> dict[int, str]:
    """Each epic's folder by id, from its ``(id, slug, meta)``: ``epics/<slug>`` or
    ``epics/archived/<slug>``."""
    epics = list(epics)
    archived = {
        epic_id for epic_id, _, meta in epics if meta is not None and ARCHIVED in meta.extra
    }
    live = {slug for epic_id, slug, _ in epics if epic_id not in archived}
    if archived and ARCHIVED_FOLDER in live:
        raise MarkdownError(
            f"{ROOT}/{ARCHIVED_FOLDER}",
            None,
            "an epic named 'archived' clashes with the folder of archived epics",
        )
    return {
        epic_id: f"{ROOT}/{ARCHIVED_FOLDER}/{slug}" if epic_id in archived else f"{ROOT}/{slug}"
        for epic_id, slug, _ in epics
    }


def relocate(
    files: Mapping[str, T], snapshot: Snapshot, folders: Mapping[int, str]
) -> dict[str, T]:
    """The rendered files, with each archived epic's moved under ``epics/archived/``."""
    moved = {
        f"{ROOT}/{epic.slug}/": f"{folders[epic.id]}/"
        for epic in snapshot.epics.values()
        if folders[epic.id] != f"{ROOT}/{epic.slug}"
    }
    out = {}
    for path, text in files.items():
        head = "/".join(path.split("/", 2)[:2]) + "/"
        out[moved.get(head, head) + path[len(head) :]] = text
    return dict(sorted(out.items()))


def attachment_files(rows: Iterable[Any], folders: Mapping[int, str]) -> dict[str, bytes]:
    """``rows``: ``epic_id, path, data`` of each file beside the tasks."""
    return {f"{folders[row.epic_id]}/{row.path}": bytes(row.data) for row in rows}

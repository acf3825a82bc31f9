"""The files beside the tasks of a parsed upload (``markdown.beside``), as specs for the writer,
and every file of the upload with what became of it, for the report."""

from __future__ import annotations

from collections.abc import Mapping

from epicflow.markdown import Tree
from epicflow.transfer.plan.inputs import FileEntry, FileSpec


def file_specs(tree: Tree, files: Mapping[str, bytes]) -> tuple[FileSpec, ...]:
    return tuple(
        FileSpec(
            epic=folder.slug,
            path=item.rel,
            task=None if item.task is None else f"{folder.slug}/{item.task}",
            data=files[item.path],
        )
        for folder in tree.epics
        for item in folder.attachments
    )


def file_entries(tree: Tree) -> tuple[FileEntry, ...]:
    entries = [FileEntry(item.path, "skipped", item.reason) for item in tree.skipped]
    for folder in tree.epics:
        if folder.epic is not None:
            entries.append(FileEntry(folder.path("epic"), "epic"))
        entries += [FileEntry(folder.path(task.ref), "task") for task in folder.tasks]
        entries += [FileEntry(item.path, "attachment") for item in folder.attachments]
    return tuple(sorted(entries, key=lambda entry: entry.path))

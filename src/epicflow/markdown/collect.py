"""From unpacked files to epics and tasks (import), and from epics and tasks to files (export).

Where epics are looked for, in this order (SPEC §8, §9):
1. ``epics/<slug>/`` or ``.claude/epics/<slug>/`` (both at once is an error: ambiguous);
2. ``epic.md`` / ``001.md`` at the top: one epic, whose slug is ``name:`` in its ``epic.md``;
3. ``<slug>/`` folders at the top that directly hold ``epic.md`` or task files;
4. failing all that, the same inside the one top-level folder there is (``shop-main/...`` as
   GitHub's "Download ZIP" makes; macOS's ``__MACOSX/`` and top-level files do not count).

In an epic folder ``epic.md`` and task files named by a number (``001.md``, ``12.md``) are
parsed; every other file in it, at any depth, is an attachment (``markdown.beside``).
``archived/<slug>/`` beside the epic folders holds ccpm's archived epics: each is an epic folder
too (``EpicFolder.archived``), unless a live epic of the upload has its slug. What is not read
(files outside every epic folder, such clashes) is listed in ``Tree.skipped`` with the reason.
A folder without ``epic.md`` gives ``EpicFolder.epic = None``; for the folder ``unassigned``
that means tasks without an epic.

Refs in ``depends_on`` / ``conflicts_with`` are not resolved here: a ref may name a task that
is only in the database, so the importer resolves them (``EpicFolder.path`` names the file).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from epicflow.markdown.beside import (
    ARCHIVED,
    NO_EPIC,
    OUTSIDE,
    SYSTEM_FILE,
    Attachment,
    Skipped,
    attachments,
    clash,
    is_epic_file,
    is_junk,
)
from epicflow.markdown.epic import epic_name, parse_epic, render_epic
from epicflow.markdown.errors import (
    Finding,
    MarkdownError,
    MarkdownErrors,
    decode_file,
    in_file_order,
)
from epicflow.markdown.lenient import epic_warnings, task_warnings
from epicflow.markdown.model import SLUG, UNASSIGNED, EpicDoc, TaskDoc
from epicflow.markdown.task import parse_task
from epicflow.markdown.task_render import render_task

T = TypeVar("T")
_is_epic_file = is_epic_file


@dataclass(frozen=True)
class EpicFolder:
    slug: str
    folder: str  # where it sits in the archive: "epics/pay", ".claude/epics/pay", "" (the root)
    epic: EpicDoc | None
    tasks: tuple[TaskDoc, ...]  # ordered by number
    attachments: tuple[Attachment, ...] = ()  # ordered by path
    archived: bool = False  # read from archived/<slug>/

    def path(self, ref: str) -> str:
        """The file a task was read from, for messages: ``epics/pay/003.md``."""
        return f"{self.folder}/{ref}.md" if self.folder else f"{ref}.md"


@dataclass(frozen=True)
class Tree:
    epics: tuple[EpicFolder, ...]  # ordered by slug
    skipped: tuple[Skipped, ...] = ()  # files that were not read, by path
    warnings: tuple[Finding, ...] = ()  # what was read leniently, in file order

    @property
    def ignored(self) -> tuple[str, ...]:
        """The paths that were not read, sorted."""
        return tuple(item.path for item in self.skipped)


def _layout(paths: set[str], base: str) -> tuple[str, bool] | None:
    """(folder holding the epic folders, or the epic folder itself if single) under base."""
    prefix = f"{base}/" if base else ""
    has_epics = any(p.startswith(f"{prefix}epics/") for p in paths)
    has_claude = any(p.startswith(f"{prefix}.claude/epics/") for p in paths)
    if has_epics and has_claude:
        raise MarkdownError(prefix or "/", None, "both epics/ and .claude/epics/ found: keep one")
    if has_epics or has_claude:
        return f"{prefix}{'epics' if has_epics else '.claude/epics'}", False
    rests = [p[len(prefix) :].split("/") for p in paths if p.startswith(prefix)]
    if any(len(parts) == 1 and _is_epic_file(parts[0]) for parts in rests):
        return base, True
    if any(len(parts) == 2 and _is_epic_file(parts[1]) for parts in rests):
        return base, False
    return None


def _locate(paths: set[str], source: str) -> tuple[str, bool]:
    found = _layout(paths, "")
    folders = {path.split("/")[0] for path in paths if "/" in path} - {"__MACOSX"}
    if found is None and len(folders) == 1:
        found = _layout(paths, folders.pop())
    if found is None:
        raise MarkdownError(
            source,
            None,
            "no epics found (expected epics/<slug>/, .claude/epics/<slug>/ or <slug>/)",
        )
    return found


Groups = dict[str, dict[str, str]]  # {epic folder: {path in the folder: path in the upload}}


def _group(paths: set[str], base: str, single: bool) -> tuple[Groups, set[str], list[Skipped]]:
    """The epic folders with their files, which of them are archived, and the files left out."""
    prefix = f"{base}/" if base else ""
    rests = {
        path: path[len(prefix) :].split("/") if path.startswith(prefix) else []
        for path in sorted(paths)
        if not is_junk(path)
    }
    skipped = [Skipped(path, SYSTEM_FILE) for path in sorted(paths) if is_junk(path)]
    groups: Groups = {}
    if single:
        for path, parts in rests.items():
            if parts:
                groups.setdefault(base, {})["/".join(parts)] = path
            else:
                skipped.append(Skipped(path, OUTSIDE))
        return groups, set(), sorted(skipped, key=lambda item: item.path)
    live = {parts[0] for parts in rests.values() if len(parts) == 2 and _is_epic_file(parts[1])}
    archived = {
        parts[1]
        for parts in rests.values()
        if len(parts) == 3 and parts[0] == ARCHIVED and _is_epic_file(parts[2])
    }
    archived = set() if ARCHIVED in live else archived
    for path, parts in rests.items():
        if len(parts) >= 2 and parts[0] in live:
            groups.setdefault(prefix + parts[0], {})["/".join(parts[1:])] = path
        elif len(parts) >= 3 and parts[0] == ARCHIVED and parts[1] in archived - live:
            groups.setdefault(f"{prefix}{ARCHIVED}/{parts[1]}", {})["/".join(parts[2:])] = path
        elif len(parts) >= 3 and parts[0] == ARCHIVED and parts[1] in archived:
            skipped.append(Skipped(path, clash(parts[1])))
        else:
            skipped.append(Skipped(path, OUTSIDE))
    kept = {f"{prefix}{ARCHIVED}/{slug}" for slug in archived - live}
    return groups, kept, sorted(skipped, key=lambda item: item.path)


def collect_tree(files: Mapping[str, bytes], *, source: str = "archive") -> Tree:
    """Parse every epic and task file of an unpacked archive or folder (see the module doc).

    Every file is read even when one is bad: ``MarkdownErrors`` lists each bad file's first
    error, in path order. ``source`` names the whole upload in errors that concern no single
    file.
    """
    base, single = _locate(set(files), source)
    groups, archived, skipped = _group(set(files), base, single)
    reader = _Reader(files)
    folders = [
        reader.folder(folder, names, single, folder in archived) for folder, names in groups.items()
    ]
    warnings = tuple(in_file_order(reader.warnings))
    if reader.errors:
        raise MarkdownErrors(in_file_order(reader.errors), warnings)
    kept = []
    for found in folders:
        no_epic = found.epic is None and found.slug == UNASSIGNED
        if no_epic:
            skipped += [Skipped(item.path, NO_EPIC) for item in found.attachments]
        kept.append(dataclasses.replace(found, attachments=()) if no_epic else found)
    skipped.sort(key=lambda item: item.path)
    return Tree(tuple(sorted(kept, key=lambda f: f.slug)), tuple(skipped), warnings)


class _Reader:
    """Parses the files of each epic folder, keeping every file's first error and the
    warnings of the files that parse."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self.errors: list[Finding] = []
        self.warnings: list[Finding] = []

    def folder(
        self, folder: str, names: dict[str, str], single: bool, archived: bool
    ) -> EpicFolder:
        epic_path = names.get("epic.md")
        epic_text = None if epic_path is None else self.text(epic_path)
        slug = self.slug(folder, names, single, epic_path, epic_text)
        epic = None
        if epic_text is not None and epic_path is not None and slug is not None:
            epic = self.parse(epic_path, partial(parse_epic, epic_text, slug=slug))
            if epic is not None:
                self.warnings += epic_warnings(epic, epic_text, epic_path)
        tasks = []
        for name, path in names.items():
            if name == "epic.md" or not _is_epic_file(name):
                continue
            text = self.text(path)
            task = None if text is None else self.parse(path, partial(parse_task, text))
            if task is not None and text is not None:
                tasks.append(task)
                self.warnings += task_warnings(task, text, path)
        tasks.sort(key=lambda t: (int(t.ref), t.ref))
        others = {name: path for name, path in names.items() if not _is_epic_file(name)}
        kept = attachments(others, [task.ref for task in tasks], self.files)
        return EpicFolder(slug or "", folder, epic, tuple(tasks), kept, archived)

    def slug(
        self,
        folder: str,
        names: dict[str, str],
        single: bool,
        epic_path: str | None,
        epic_text: str | None,
    ) -> str | None:
        if single:
            where = epic_path or _first_task(names)
            return self.parse(where, lambda filename: _root_slug(epic_text, filename))
        slug = folder.rsplit("/", 1)[-1]
        if not SLUG.match(slug):
            message = f"epic folder {slug!r} must be kebab-case (a-z, 0-9, -)"
            self.errors.append(Finding(folder, None, "", "invalid_markdown", message))
            return None
        return slug

    def text(self, path: str) -> str | None:
        found = self.parse(path, lambda filename: decode_file(self.files[filename], filename))
        if found is None:
            return None
        text, warning = found
        self.warnings += [warning] if warning is not None else []
        return text

    def parse(self, path: str, read: Callable[..., T]) -> T | None:
        try:
            return read(filename=path)
        except MarkdownErrors as exc:
            self.errors += exc.findings
        except MarkdownError as exc:
            self.errors.append(exc.finding())
        return None


def _first_task(names: dict[str, str]) -> str:
    return next(path for name, path in names.items() if _is_epic_file(name))


def _root_slug(epic_text: str | None, filename: str) -> str:
    name = None if epic_text is None else epic_name(epic_text, filename)
    if name is None or not SLUG.match(name):
        raise MarkdownError(
            filename,
            None,
            "an epic at the top level needs an epic.md with name: <slug> (kebab-case) "
            "in its frontmatter, or a folder named after its slug",
        )
    return name


def render_tree(
    epics: Iterable[EpicDoc], tasks: Mapping[str | None, Iterable[TaskDoc]]
) -> dict[str, str]:
    """Files for export, sorted by path: ``epics/<slug>/epic.md`` and ``epics/<slug>/<ref>.md``.

    ``tasks`` maps an epic slug (None: no epic) to its tasks; tasks without an epic are written
    under ``epics/unassigned/``, so an epic named ``unassigned`` cannot be exported beside them.
    """
    out: dict[str, str] = {}
    slugs = set()
    for epic in epics:
        _put(out, f"epics/{epic.slug}/epic.md", partial(render_epic, epic))
        slugs.add(epic.slug)
    for slug, docs in tasks.items():
        if slug is None and UNASSIGNED in slugs:
            raise MarkdownError(
                f"epics/{UNASSIGNED}",
                None,
                "an epic named 'unassigned' clashes with tasks without an epic",
            )
        if slug is not None and slug not in slugs:
            raise MarkdownError(f"epics/{slug}", None, f"tasks name an unknown epic {slug!r}")
        for doc in docs:
            path = f"epics/{slug or UNASSIGNED}/{doc.ref}.md"
            _put(out, path, partial(render_task, doc))
    return dict(sorted(out.items()))


def _put(out: dict[str, str], path: str, render: Callable[[], str]) -> None:
    if path in out:
        raise MarkdownError(path, None, "the same file would be written twice")
    try:
        out[path] = render()
    except MarkdownError as exc:
        raise MarkdownError(path, exc.line, exc.message) from None

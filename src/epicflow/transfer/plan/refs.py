"""How a ref of a ccpm file finds its task, and how the file wrote it (for export). Pure.

A ref names ``<folder>/<ref>`` (``003`` in ``epics/api/`` is ``api/003``). It finds, in order
(docs/ccpm.md, "References"):

1. the file it names: ``api/003`` is ``003.md`` of the folder ``api``;
2. the one file of the same number written otherwise: ``3`` or ``03`` for ``003.md``
   (``ref_padding``);
3. through the folder's ``github-mapping.md``: a number from before a GitHub sync finds the file
   of its issue, and an issue number the file not renamed yet (``ref_mapping``);
4. the one task of the folder whose ``github:`` ends in ``/issues/<n>`` or ``/pull/<n>``
   (``ref_github``).

A task of the upload hides the project's task at the same path. A ref that finds nothing is an
error whose message names the file probably meant.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from epicflow.markdown import Finding
from epicflow.markdown.mapping import GithubMapping
from epicflow.transfer.plan.inputs import FORM, Meta, StoredTask, TaskSpec, Upload
from epicflow.transfer.plan.task_files import ref_texts

_ISSUE = re.compile(r"/(?:issues|pull)/([0-9]{1,10})/?\Z")
LineOf = Callable[[str, str], int | None]


@dataclass(frozen=True)
class Target:
    key: str
    path: str  # "<folder>/<ref>": the file export writes the task to
    title: str
    github: str | None


@dataclass(frozen=True)
class Found:
    """``target`` None: the ref names nothing, and ``note`` is the hint; else ``code`` is set
    when it was read leniently, and ``note`` says how."""

    target: Target | None
    code: str = ""
    note: str = ""


def _show(path: str, home: str) -> str:
    """A file as the referring file's folder sees it: ``003.md``, or ``web/003.md``."""
    folder, ref = path.rsplit("/", 1)
    return f"{ref}.md" if folder == home else f"{path}.md"


def _github(meta: Meta | None) -> str | None:
    return None if meta is None else meta.github


def _issue(github: str | None) -> int | None:
    found = _ISSUE.search(github or "")
    return None if found is None else int(found.group(1))


class RefFinder:
    def __init__(self, targets: Iterable[Target], mappings: Mapping[str, GithubMapping]) -> None:
        self.folders: dict[str, dict[str, Target]] = defaultdict(dict)
        for target in targets:
            folder, ref = target.path.rsplit("/", 1)
            self.folders[folder][ref] = target
        self.mappings = mappings

    @classmethod
    def of(
        cls, upload: Upload, keys: Mapping[str, str], stored: Mapping[str, StoredTask]
    ) -> RefFinder:
        """Every task a ref may name: the project's, by the path export gives them, then the
        upload's (hiding a project task at the same path)."""
        targets = [
            Target(task.key, path, task.content["title"], _github(task.meta))
            for path, task in stored.items()
        ]
        targets += [
            Target(keys[spec.name], spec.path, spec.content["title"], _github(spec.meta))
            for spec in upload.tasks
            if spec.path is not None
        ]
        return cls(targets, upload.mappings)

    def find(self, name: str, home: str) -> Found:
        """What ``name`` (``api/3``), written in a file of the folder ``home``, names."""
        folder, _, ref = name.rpartition("/")
        files = self.folders.get(folder, {})
        if ref in files:
            return Found(files[ref])
        number = int(ref)
        for step in (self._padded, self._mapped, self._by_issue):
            found = step(folder, number, home)
            if found is not None:
                return found
        return Found(None, note=self._hint(folder, number, home))

    def _numbered(self, folder: str, number: int) -> list[str]:
        files = self.folders.get(folder, {})
        return sorted((ref for ref in files if int(ref) == number), key=lambda r: (len(r), r))

    def _padded(self, folder: str, number: int, home: str) -> Found | None:
        same = [f"{folder}/{ref}" for ref in self._numbered(folder, number)]
        if len(same) > 1:
            names = " or ".join(_show(path, home) for path in same)
            return Found(None, note=f"it could be {names}: write the number as the file has it")
        if same:
            return Found(self._at(same[0]), "ref_padding", f"read as {_show(same[0], home)}")
        return None

    def _at(self, path: str) -> Target:
        folder, ref = path.rsplit("/", 1)
        return self.folders[folder][ref]

    def _file(self, folder: str, ref: str) -> Target | None:
        """The file ``ref`` names: exactly, or the one file of its number."""
        files = self.folders.get(folder, {})
        if ref in files:
            return files[ref]
        same = self._numbered(folder, int(ref))
        return files[same[0]] if len(same) == 1 else None

    def _mapped(self, folder: str, number: int, home: str) -> Found | None:
        mapping = self.mappings.get(folder)
        if mapping is None:
            return None
        pairs = [(e, e.number) for e in mapping.renamed_from(number)]
        pairs += [(e, e.old or "") for e in mapping.renamed_to(number)]
        for entry, ref in pairs:
            target = self._file(folder, ref)
            if target is not None:
                where = f"{mapping.file}:{entry.line} maps {entry.old} to #{entry.number}"
                return Found(target, "ref_mapping", f"read as {_show(target.path, home)}: {where}")
        return None

    def _by_issue(self, folder: str, number: int, home: str) -> Found | None:
        files = self.folders.get(folder, {})
        found = [target for target in files.values() if _issue(target.github) == number]
        if len(found) != 1:
            return None
        target = found[0]
        note = f"read as {_show(target.path, home)}, whose github: is {target.github}"
        return Found(target, "ref_github", note)

    def _hint(self, folder: str, number: int, home: str) -> str:
        files = self.folders.get(folder, {})
        if not files:
            return f"there is no task of an epic folder {folder!r}"
        mapping = self.mappings.get(folder)
        for entry in mapping.titled(number) if mapping else ():
            title = (entry.title or "").casefold()
            same = [target for target in files.values() if target.title.casefold() == title]
            if len(same) == 1 and mapping is not None:
                where = f"{entry.title!r} is #{entry.number} in {mapping.file}:{entry.line}"
                return f"did you mean {_show(same[0].path, home)} ({where})?"
        for entry in mapping.renamed_from(number) if mapping else ():
            where = f"{mapping.file}:{entry.line}" if mapping else ""
            return f"{where} maps {entry.old} to #{entry.number}, and there is no {entry.number}.md"
        nearest = min(files, key=lambda ref: (abs(int(ref) - number), int(ref)))
        return f"did you mean {_show(f'{folder}/{nearest}', home)}?"


class MarkdownRefs:
    """Resolves the refs of markdown specs; keeps what was read leniently (``warnings``) and
    each ref as written with the file it found (``written``), for the spec's form entry."""

    def __init__(self, finder: RefFinder, line_of: LineOf) -> None:
        self.finder = finder
        self.line_of = line_of
        self.warnings: list[Finding] = []
        self.written: dict[str, dict[str, list[tuple[str, str]]]] = defaultdict(dict)

    def resolve(self, spec: TaskSpec, field: str, name: str, text: str) -> tuple[str | None, str]:
        """The key the ref names, or None and the error's message."""
        home = (spec.path or name).rsplit("/", 1)[0]
        found = self.finder.find(name, home)
        if found.target is None:
            message = f"{field} names {name}, which is neither in the upload nor in the project"
            return None, f"{message}: {found.note}" if found.note else message
        if found.code:
            line = self.line_of(spec.file, field)
            message = f"{field} {text} {found.note} (kept as written)"
            self.warnings.append(Finding(spec.file, line, field, found.code, message))
        self.written[spec.name].setdefault(field, []).append((text, found.target.path))
        return found.target.key, ""

    def with_form(self, spec: TaskSpec) -> TaskSpec:
        """The spec, with its refs as written kept in its form entry where export would write
        them otherwise (another spelling, another order): ``"refs": {field: [[text, path]]}``."""
        written = self.written.get(spec.name, {})
        home = (spec.path or "").rsplit("/", 1)[0]
        kept = {
            field: [list(pair) for pair in pairs]
            for field, pairs in written.items()
            if tuple(text for text, _ in pairs) != ref_texts({p for _, p in pairs}, home)
        }
        if not kept or spec.meta is None:
            return spec
        form = json.loads(spec.meta.extra.get(FORM, "{}"))
        form["refs"] = kept
        extra = {**spec.meta.extra, FORM: json.dumps(form, ensure_ascii=False, sort_keys=True)}
        return dataclasses.replace(spec, meta=dataclasses.replace(spec.meta, extra=extra))

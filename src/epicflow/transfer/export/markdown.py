"""A project as ccpm documents, ready for ``markdown.render_tree``, and the tar.gz that carries the
rendered files. Pure: the snapshot in, documents or bytes out.

ccpm's own fields keep ccpm's spellings; what ccpm lacks goes into frontmatter keys of its own
(``key``, ``priority``, ``labels``, ``assignee``, ``epicflow_status``, ``started``,
``completed``) so that export -> import -> export gives the same files.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from epicflow.markdown import Check, EpicDoc, TaskDoc
from epicflow.markdown.errors import forbidden_char
from epicflow.markdown.model import Form, Kept
from epicflow.markdown.sections import SECTIONS, find_title
from epicflow.markdown.textfile import NEWLINE_NAMES
from epicflow.transfer.plan.inputs import (
    COMPLETED,
    FORM,
    PROGRESS,
    STARTED,
    Meta,
    Snapshot,
    StoredEpic,
    StoredTask,
    format_time,
)
from epicflow.transfer.plan.task_files import export_refs

Ref = tuple[str, str]  # (folder, file stem)
# What each kept ``Form`` value may be. The entry also travels in JSON bundles, which anyone can
# write: a value the renderer could not write back as the file had it is dropped, not trusted.
_CHOICES = {
    "layout": frozenset({"frontmatter", "yaml", "none"}),
    "title_key": frozenset({"name", "title", "name+title"}),
    "depends_key": frozenset({"depends_on", "dependencies"}),
    "completed": frozenset({"", "~", "null", "Null", "NULL"}),
    "newline": frozenset(NEWLINE_NAMES),
}
_LINES = frozenset({"status", "name", "heading"})
_CHECKLISTS = frozenset({"acceptance_criteria", "definition_of_done"})


def _kept(name: str, value: object) -> bool:
    if name == "bom":
        return isinstance(value, bool)
    if name in _CHOICES:
        return value in _CHOICES[name]
    if not isinstance(value, str) or forbidden_char(value) is not None:
        return False
    if name == "heading":
        return "\n" not in value and find_title([(1, value)], "") is not None
    return name == "effort_text" or (name in _LINES and "\n" not in value and "\r" not in value)


@dataclass(frozen=True, slots=True)
class Written:
    """What the import kept of how a file was written (`read.markdown.written_form`)."""

    form: Form | None = None  # None: the import kept nothing
    effort_text: str = ""
    body: tuple[Kept, ...] = ()


def written_form(extra: dict[str, str]) -> Written:
    """How the file was written, taken out of ``extra``; each value checked, since a bundle is
    anyone's JSON (a value that fails is left out)."""
    text = extra.pop(FORM, None)
    if text is None:
        return Written()
    try:
        kept = json.loads(text)
    except ValueError:
        kept = None
    if not isinstance(kept, dict):
        return Written(Form())
    body = _body(kept.pop("kept", None))
    items = _items(kept.pop("items", None))
    values = {name: value for name, value in kept.items() if _kept(name, value)}
    effort_text = values.pop("effort_text", "")
    return Written(Form(**values, items=items), effort_text, body)


def _items(items: object) -> tuple[tuple[str, int, str], ...]:
    """Checklist items as written: [section key, item number, line] each (the renderer uses a
    line only while it reads back as the item it writes)."""
    if not isinstance(items, list):
        return ()
    kept = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 3):
            continue
        key, at, line = item
        placed = key in _CHECKLISTS and isinstance(at, int) and not isinstance(at, bool)
        if placed and isinstance(line, str) and forbidden_char(line) is None and "\n" not in line:
            kept.append((key, at, line))
    return tuple(kept)


def _body(parts: object) -> tuple[Kept, ...]:
    """The kept body text: [after, text, at] each, after a known section key or ""."""
    if not isinstance(parts, list):
        return ()
    kept = []
    for part in parts:
        if not (isinstance(part, list) and len(part) == 3):
            continue
        after, text, at = part
        placed = isinstance(after, str) and (after == "" or after in SECTIONS)
        if not (placed and isinstance(text, str) and forbidden_char(text) is None):
            continue
        if at is None or (isinstance(at, int) and not isinstance(at, bool) and at >= 0):
            kept.append(Kept(after, text, at))
    return tuple(kept)


def _progress(snapshot: Snapshot) -> dict[int, int]:
    """Done / (total - cancelled), in percent, rounded: as the epic API derives it."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for task in snapshot.tasks.values():
        if task.epic_id is not None:
            counts[task.epic_id][task.content["status"]] += 1
    out = {}
    for epic_id, count in counts.items():
        counted = sum(count.values()) - count["cancelled"]
        out[epic_id] = round(count["done"] / counted * 100) if counted else 0
    return out


def epic_doc(epic: StoredEpic, progress: int) -> EpicDoc:
    meta = epic.meta or Meta()
    created, updated = epic.times["created_at"], epic.times["updated_at"]
    extra = dict(meta.extra)
    form = written_form(extra).form
    return EpicDoc(
        slug=epic.slug,
        title=epic.content["title"],
        description=epic.content["description"],
        status=epic.content["status"],
        prd=epic.content["prd"],
        github=meta.github,
        created=None if created is None else format_time(created),
        updated=None if updated is None else format_time(updated),
        extra={**extra, PROGRESS: f"{progress}%"},
        form=form or Form(),
    )


def _ref_text(ref: Ref, folder: str) -> str:
    return ref[1] if ref[0] == folder else f"{ref[0]}/{ref[1]}"


def _refs(ids: set[int] | None, refs: dict[int, Ref], folder: str) -> tuple[str, ...]:
    """Same-epic refs first, then others by epic; by number within each."""
    if not ids:
        return ()
    found = sorted(
        (refs[i] for i in ids or ()), key=lambda r: (r[0] != folder, r[0], int(r[1]), r[1])
    )
    return tuple(_ref_text(ref, folder) for ref in found)


def _form(extra: dict[str, str], title: str) -> Written:
    """What the import kept. A task imported before ``title:`` was read as the name kept it as
    an extra key; written back beside ``name:`` as it was (the two agree, or the heading gave
    the title)."""
    written = written_form(extra)
    if written.form is not None:
        return written
    if extra.get("title") == title:
        del extra["title"]
        return Written(Form(title_key="name+title"))
    return Written(Form())


def _extra(task: StoredTask, meta: Meta) -> dict[str, str]:
    extra = dict(meta.extra)
    for name, field in ((STARTED, "started_at"), (COMPLETED, "completed_at")):
        value = task.times[field]
        if value is not None:
            extra[name] = format_time(value)
    return extra


def _checks(items: list[dict[str, object]]) -> tuple[Check, ...]:
    return tuple(Check(str(item["text"]), bool(item["done"])) for item in items)


def task_doc(task: StoredTask, snapshot: Snapshot, refs: dict[int, Ref]) -> TaskDoc:
    folder, ref = refs[task.id]
    meta = task.meta or Meta()
    content = task.content
    assignee = None
    if task.assignee_id is not None:
        assignee = snapshot.emails.get(task.assignee_id, str(task.assignee_id))
    created, updated = task.times["created_at"], task.times["updated_at"]
    extra = _extra(task, meta)
    written = _form(extra, content["title"])
    return TaskDoc(
        ref=ref,
        title=content["title"],
        status=content["status"],
        priority=content["priority"],
        labels=task.labels,
        assignee=assignee,
        key=task.key,
        description=content["description"],
        tdd_requirements=content["tdd_requirements"],
        technical_details=content["technical_details"],
        acceptance_criteria=_checks(content["acceptance_criteria"]),
        definition_of_done=_checks(content["definition_of_done"]),
        size=content["estimate_size"],
        hours=content["estimate_hours"],
        parallel=content["parallel"],
        depends_on=_refs(snapshot.deps.get(task.id), refs, folder),
        conflicts_with=_refs(snapshot.conflicts.get(task.id), refs, folder),
        created=None if created is None else format_time(created),
        updated=None if updated is None else format_time(updated),
        github=meta.github,
        dependencies_note=meta.dependencies_note,
        extra=extra,
        effort_text=written.effort_text,
        form=written.form or Form(),
        kept=written.body,
    )


def documents(snapshot: Snapshot) -> tuple[list[EpicDoc], dict[str | None, list[TaskDoc]]]:
    """Every epic, and every task by epic slug (None: no epic), in file order."""
    progress = _progress(snapshot)
    epics = sorted(snapshot.epics.values(), key=lambda e: e.slug)
    refs = export_refs(snapshot)
    tasks: dict[str | None, list[TaskDoc]] = defaultdict(list)
    for task in snapshot.tasks.values():
        tasks[snapshot.epic_slug(task.epic_id)].append(task_doc(task, snapshot, refs))
    for docs in tasks.values():
        docs.sort(key=lambda doc: (int(doc.ref), doc.ref))
    return [epic_doc(epic, progress.get(epic.id, 0)) for epic in epics], dict(tasks)


def tar_gz(files: Mapping[str, str], mtime: datetime) -> bytes:
    """A gzip-compressed tar of the files (tar.gz: 10,000 similar files compress far better
    in one stream than one by one in a zip)."""
    out = io.BytesIO()
    stamp = int(mtime.timestamp())
    with (
        gzip.GzipFile(fileobj=out, mode="wb", mtime=stamp) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), stamp, 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()

"""A project as ccpm documents, ready for ``markdown.render_tree``, and the tar.gz that carries the
rendered files. Pure: the snapshot in, documents or bytes out.

ccpm's own fields keep ccpm's spellings; what ccpm lacks goes into frontmatter keys of its own
(``key``, ``priority``, ``labels``, ``assignee``, ``epicflow_status``, ``started``,
``completed``) so that export -> import -> export gives the same files.
"""

from __future__ import annotations

import gzip
import io
import tarfile
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from epicflow.markdown import Check, EpicDoc, TaskDoc
from epicflow.markdown.model import Form
from epicflow.transfer.export.form import Written, written_form
from epicflow.transfer.plan.inputs import (
    ARCHIVED,
    COMPLETED,
    PROGRESS,
    STARTED,
    Meta,
    Snapshot,
    StoredEpic,
    StoredTask,
    format_time,
)
from epicflow.transfer.plan.task_files import export_refs, ref_texts
from epicflow.transfer.plan.written import epic_check, progress, task_check

Ref = tuple[str, str]  # (folder, file stem)


def _progress(snapshot: Snapshot) -> dict[int, str]:
    """Each epic's ``progress:``, as the epic API derives it (``plan.written.progress``)."""
    statuses: dict[int, list[str]] = defaultdict(list)
    for task in snapshot.tasks.values():
        if task.epic_id is not None:
            statuses[task.epic_id].append(task.content["status"])
    return {epic_id: progress(found) for epic_id, found in statuses.items()}


def epic_doc(epic: StoredEpic, done: str) -> EpicDoc:
    meta = epic.meta or Meta()
    created, updated = epic.times["created_at"], epic.times["updated_at"]
    extra = dict(meta.extra)
    extra.pop(ARCHIVED, None)  # where the folder goes, not a key of epic.md
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
        extra={**extra, PROGRESS: done},
        form=form or Form(),
    )


def _refs(
    ids: set[int] | None,
    refs: dict[int, Ref],
    folder: str,
    written: tuple[tuple[str, str], ...] = (),
) -> tuple[str, ...]:
    """The refs as the file wrote them while they still name the same files, else as export
    writes them (``ref_texts``)."""
    paths = {f"{refs[i][0]}/{refs[i][1]}" for i in ids or ()}
    if written and {path for _, path in written} == paths:
        return tuple(text for text, _ in written)
    return ref_texts(paths, folder)


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
    for name, column in ((STARTED, "started_at"), (COMPLETED, "completed_at")):
        value = task.times[column]
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
        depends_on=_refs(
            snapshot.deps.get(task.id), refs, folder, written.refs.get("depends_on", ())
        ),
        conflicts_with=_refs(
            snapshot.conflicts.get(task.id), refs, folder, written.refs.get("conflicts_with", ())
        ),
        created=None if created is None else format_time(created),
        updated=None if updated is None else format_time(updated),
        github=meta.github,
        dependencies_note=meta.dependencies_note,
        extra=extra,
        effort_text=written.effort_text,
        form=written.form or Form(),
        kept=written.body,
    )


@dataclass
class Documents:
    """A project as ccpm documents to render, and the files kept as they were written
    (``plan/written.py``): ``{"epics/<folder>/<name>.md": bytes}``, written over what the
    documents render. Kept tasks are left out of ``tasks`` (a folder's list may be empty)."""

    epics: list[EpicDoc]
    tasks: dict[str | None, list[TaskDoc]]
    kept: dict[str, bytes]


def _kept_text(meta: Meta | None, check: Callable[[bytes], str]) -> bytes | None:
    """The bytes as imported while their check holds (``check``: it, for given bytes)."""
    if meta is None or meta.written is None or meta.written_check != check(meta.written):
        return None
    return meta.written


def documents(snapshot: Snapshot) -> Documents:
    """Every epic, and every task by epic slug (None: no epic), in file order; a file that
    nothing has changed since it was imported is kept as written instead."""
    done = _progress(snapshot)
    refs = export_refs(snapshot)
    paths = {task_id: f"{folder}/{ref}" for task_id, (folder, ref) in refs.items()}
    out = Documents([], defaultdict(list), {})
    for task in snapshot.tasks.values():
        folder, ref = refs[task.id]
        slug = snapshot.epic_slug(task.epic_id)
        deps, conflicts = snapshot.deps.get(task.id, ()), snapshot.conflicts.get(task.id, ())
        check = partial(
            task_check,
            version=task.version,
            path=paths[task.id],
            depends_on=[paths[i] for i in deps],
            conflicts_with=[paths[i] for i in conflicts],
        )
        kept = _kept_text(task.meta, check)
        if kept is None:
            out.tasks[slug].append(task_doc(task, snapshot, refs))
        else:
            out.tasks.setdefault(slug, [])
            out.kept[f"epics/{folder}/{ref}.md"] = kept
    for docs in out.tasks.values():
        docs.sort(key=lambda doc: (int(doc.ref), doc.ref))
    for epic in sorted(snapshot.epics.values(), key=lambda e: e.slug):
        percent = done.get(epic.id, progress(()))
        meta = epic.meta or Meta()
        check = partial(
            epic_check,
            content=epic.content,
            times=epic.times,
            github=meta.github,
            extra=meta.extra,
            progress=percent,
        )
        out.epics.append(epic_doc(epic, percent))  # rendered: a few
        kept = _kept_text(epic.meta, check)
        if kept is not None:
            out.kept[f"epics/{epic.slug}/epic.md"] = kept
    out.tasks = dict(out.tasks)
    return out


def tar_gz(files: Mapping[str, str | bytes], mtime: datetime) -> bytes:
    """A gzip-compressed tar of the files (tar.gz: 10,000 similar files compress far better
    in one stream than one by one in a zip)."""
    out = io.BytesIO()
    stamp = int(mtime.timestamp())
    with (
        gzip.GzipFile(fileobj=out, mode="wb", mtime=stamp) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path, text in files.items():
            data = text.encode("utf-8") if isinstance(text, str) else text
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode = len(data), stamp, 0o644
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()

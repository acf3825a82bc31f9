"""From parsed ccpm folders to specs, each value checked with the caps of the task API.

The parser has already refused what no file may hold; what is left to refuse here is what the
API would refuse too (a label with a space, a 200 kB description...), named by file and line.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from epicflow.markdown import (
    UNASSIGNED,
    EpicDoc,
    EpicFolder,
    Finding,
    MarkdownError,
    TaskDoc,
    Tree,
)
from epicflow.markdown.errors import in_file_order
from epicflow.markdown.mapping import MAPPING_FILE, GithubMapping, parse_mapping
from epicflow.markdown.model import Form, Kept
from epicflow.markdown.textfile import without_escape_codes
from epicflow.markdown.validate import epic_string_findings, task_string_findings
from epicflow.transfer.errors import findings, first_error
from epicflow.transfer.plan.inputs import (
    ARCHIVED,
    COMPLETED,
    FORM,
    PROGRESS,
    STARTED,
    EpicSpec,
    Meta,
    TaskSpec,
    Upload,
    parse_time,
)
from epicflow.transfer.read.attachments import file_entries, file_specs
from epicflow.transfer.schemas import (
    EpicContent,
    MarkdownTaskContent,
    epic_content,
    task_content,
)

MAX_ASSIGNEE_CHARS = 254
# Where in a file a field is written: its frontmatter key or its section heading.
_HINTS = {
    "title": ("# Task:", "# Epic:", "name:", "title:"),
    "status": ("status:",),
    "priority": ("priority:",),
    "labels": ("labels:",),
    "assignee": ("assignee:",),
    "key": ("key:",),
    "depends_on": ("depends_on:", "dependencies:"),
    "conflicts_with": ("conflicts_with:",),
    "prd": ("prd:",),
    "description": ("## Description",),
    "tdd_requirements": ("## TDD Requirements",),
    "technical_details": ("## Technical Details",),
    "acceptance_criteria": ("## Acceptance Criteria",),
    "definition_of_done": ("## Definition of Done",),
    "estimate": ("## Effort Estimate",),
    STARTED: (f"{STARTED}:",),
    COMPLETED: (f"{COMPLETED}:",),
}


def line_hint(files: Mapping[str, bytes], path: str, field: str) -> int | None:
    """The line of ``path`` that writes ``field``, for an error message (the title: its
    heading, which wins over ``name:``; any other key: ``<field>:``)."""
    data = files.get(path)
    if data is None:
        return None
    lines = [line.lstrip().lower() for line in data.decode("utf-8", "replace").split("\n")]
    for prefix in _HINTS.get(field, (f"{field}:",)):
        for number, line in enumerate(lines, start=1):
            if line.startswith(prefix.lower()):
                return number
    return None


def _fail(files: Mapping[str, bytes], path: str, field: str, message: str) -> MarkdownError:
    return MarkdownError(path, line_hint(files, path, field), message, field=field)


def _check(files: Mapping[str, bytes], path: str, exc: ValidationError) -> MarkdownError:
    loc, message = first_error(exc)
    field = str(loc[0]) if loc else ""
    shown = ".".join(str(part) for part in loc)
    return _fail(files, path, field, f"{shown}: {message}" if shown else message)


def _times(
    doc: TaskDoc | EpicDoc, extra: dict[str, str], files: Mapping[str, bytes], path: str
) -> dict[str, datetime | None]:
    written = {"created_at": doc.created, "updated_at": doc.updated}
    if isinstance(doc, TaskDoc):
        written |= {
            "started_at": extra.pop(STARTED, None),
            "completed_at": extra.pop(COMPLETED, None),
        }
    times: dict[str, datetime | None] = {}
    for name, text in written.items():
        if text is None:
            continue
        try:
            times[name] = parse_time(text.strip())
        except ValueError:
            field = {"started_at": STARTED, "completed_at": COMPLETED}.get(name, "")
            raise _fail(
                files,
                path,
                field,
                f"{name.removesuffix('_at')} must be an ISO 8601 time, not {text!r}",
            ) from None
    return times


def _task_data(doc: TaskDoc) -> dict[str, Any]:
    return {
        "title": doc.title,
        "status": doc.status,
        "priority": doc.priority,
        "labels": list(doc.labels),
        "description": doc.description,
        "tdd_requirements": doc.tdd_requirements,
        "technical_details": doc.technical_details,
        "acceptance_criteria": [{"text": c.text, "done": c.done} for c in doc.acceptance_criteria],
        "definition_of_done": [{"text": c.text, "done": c.done} for c in doc.definition_of_done],
        "estimate": {"size": doc.size, "hours": doc.hours},
        "parallel": doc.parallel,
    }


def written_form(form: Form, effort_text: str = "", body: tuple[Kept, ...] = ()) -> dict[str, str]:
    """How the file was written, where it differs from what export writes, and the text of its
    body that has no field (unknown sections, text among checklist items), as the one extra
    entry that keeps it (none when the file is written as export writes it)."""
    kept: dict[str, object] = {
        item.name: value
        for item in dataclasses.fields(Form)
        if (value := getattr(form, item.name)) != item.default
    }
    if effort_text:
        kept["effort_text"] = effort_text
    if body:
        kept["kept"] = [[part.after, part.text, part.at] for part in body]
    return {FORM: json.dumps(kept, ensure_ascii=False, sort_keys=True)} if kept else {}


def _as_read(files: Mapping[str, bytes], path: str) -> bytes | None:
    """The file's bytes to write back while nothing changes: escape codes, removed on reading,
    stay removed."""
    data = files.get(path)
    return None if data is None else without_escape_codes(data)


def _ref_name(slug: str, ref: str) -> str:
    return ref if "/" in ref else f"{slug}/{ref}"


def task_spec(folder: EpicFolder, doc: TaskDoc, files: Mapping[str, bytes]) -> TaskSpec:
    path = folder.path(doc.ref)
    try:
        model = MarkdownTaskContent.model_validate(_task_data(doc))
    except ValidationError as exc:
        raise _check(files, path, exc) from None
    if doc.assignee is not None and len(doc.assignee) > MAX_ASSIGNEE_CHARS:
        raise _fail(files, path, "assignee", "assignee must be an e-mail or a user id")
    extra = dict(doc.extra)
    times = _times(doc, extra, files, path)
    extra |= written_form(doc.form, doc.effort_text, doc.kept)
    no_epic = folder.slug == UNASSIGNED and folder.epic is None
    return TaskSpec(
        name=f"{folder.slug}/{doc.ref}",
        file=path,
        where=path,
        epic=None if no_epic else folder.slug,
        key=doc.key,
        path=f"{folder.slug}/{doc.ref}",
        content=task_content(model),
        labels=tuple(sorted(set(model.labels))),
        assignee=doc.assignee,
        depends_on=tuple(_ref_name(folder.slug, ref) for ref in doc.depends_on),
        conflicts_with=tuple(_ref_name(folder.slug, ref) for ref in doc.conflicts_with),
        times=times,
        meta=Meta(doc.github, doc.dependencies_note, extra, written=_as_read(files, path)),
        refs_written={"depends_on": doc.depends_on, "conflicts_with": doc.conflicts_with},
    )


def epic_spec(folder: EpicFolder, files: Mapping[str, bytes]) -> EpicSpec | None:
    doc = folder.epic
    path = folder.path("epic")
    if doc is None:
        return None if folder.slug == UNASSIGNED else EpicSpec(folder.slug, path, None)
    data = {
        "title": doc.title,
        "description": doc.description,
        "status": doc.status,
        "prd": doc.prd,
    }
    try:
        model = EpicContent.model_validate(data)
    except ValidationError as exc:
        raise _check(files, path, exc) from None
    extra = dict(doc.extra)
    extra.pop(PROGRESS, None)  # derived from the tasks; export writes it afresh
    times = _times(doc, extra, files, path)
    extra |= written_form(doc.form)
    if folder.archived:
        extra[ARCHIVED] = "true"
    meta = Meta(doc.github, "", extra, written=_as_read(files, path))
    return EpicSpec(folder.slug, path, epic_content(model), times, meta)


def _string_errors(tree: Tree, files: Mapping[str, bytes]) -> list[Finding]:
    """Every string the API would refuse, in file order: what YAML escapes let through."""
    found: list[tuple[str, str, str]] = []
    for folder in tree.epics:
        if folder.epic is not None:
            path = folder.path("epic")
            found += [(path, *item) for item in epic_string_findings(folder.epic)]
        for doc in folder.tasks:
            found += [(folder.path(doc.ref), *item) for item in task_string_findings(doc)]
    return [
        Finding(path, line_hint(files, path, field), field, "control_character", message)
        for path, field, message in found
    ]


def upload_of_tree(tree: Tree, files: Mapping[str, bytes]) -> Upload:
    """The specs of every file, or a 422 listing every file's errors at once."""
    errors = _string_errors(tree, files)
    bad = {finding.file for finding in errors}
    epics: list[EpicSpec] = []
    tasks: list[TaskSpec] = []
    for folder in tree.epics:
        if folder.path("epic") not in bad:
            try:
                spec = epic_spec(folder, files)
            except MarkdownError as exc:
                errors.append(exc.finding())
            else:
                epics += [spec] if spec is not None else []
        for doc in folder.tasks:
            if folder.path(doc.ref) in bad:
                continue
            try:
                tasks.append(task_spec(folder, doc, files))
            except MarkdownError as exc:
                errors.append(exc.finding())
    if errors:
        raise findings(in_file_order(errors), tree.warnings, code="invalid_markdown")
    return Upload(
        tuple(epics),
        tuple(tasks),
        refs_by="path",
        warnings=tree.warnings,
        files=file_specs(tree, files),
        entries=file_entries(tree),
        mappings=_mappings(tree, files),
    )


def _mappings(tree: Tree, files: Mapping[str, bytes]) -> dict[str, GithubMapping]:
    """Each epic folder's github-mapping.md, read for refs only (its lines are never refused:
    a line it cannot read names no task)."""
    found = {}
    for folder in tree.epics:
        path = f"{folder.folder}/{MAPPING_FILE}" if folder.folder else MAPPING_FILE
        data = files.get(path)
        if data is not None:
            found[folder.slug] = parse_mapping(data.decode("utf-8", "replace"), path)
    return found

"""From a JSON bundle (what ``export?format=json`` writes) to specs."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson
from pydantic import ValidationError

from epicflow.transfer.errors import error_items, first_error, invalid
from epicflow.transfer.plan.inputs import (
    TIME_FIELDS,
    EpicSpec,
    FileSpec,
    Meta,
    TaskSpec,
    Upload,
)
from epicflow.transfer.read.bundle_strings import string_errors
from epicflow.transfer.schemas import Bundle, BundleEpic, BundleTask, epic_content, task_content


def _times(model: BundleTask | BundleEpic) -> dict[str, datetime | None]:
    """Only the timestamps the bundle gives: an absent one keeps what the project has."""
    return {name: getattr(model, name) for name in TIME_FIELDS if name in model.model_fields_set}


def _task_spec(index: int, task: BundleTask, filename: str) -> TaskSpec:
    source = task.ccpm
    meta = None
    if source is not None:
        meta = Meta(source.github, source.dependencies_note, dict(source.extra))
    return TaskSpec(
        name=task.key,
        file=filename,
        where=f"{filename}: tasks[{index}] ({task.key})",
        epic=task.epic,
        key=task.key,
        path=None if source is None else source.path,
        # Links are a bundle's only (markdown does not carry them yet: docs/ccpm.md).
        content=task_content(task) | {"links": [link.model_dump() for link in task.links]},
        labels=tuple(sorted(set(task.labels))),
        assignee=task.assignee,
        depends_on=tuple(dict.fromkeys(task.depends_on)),
        conflicts_with=tuple(dict.fromkeys(task.conflicts_with)),
        times=_times(task),
        meta=meta,
        from_markdown=False,
    )


def _epic_spec(index: int, epic: BundleEpic, filename: str) -> EpicSpec:
    meta = None if epic.ccpm is None else Meta(epic.ccpm.github, "", dict(epic.ccpm.extra))
    where = f"{filename}: epics[{index}] ({epic.slug})"
    return EpicSpec(epic.slug, where, epic_content(epic), _times(epic), meta, from_markdown=False)


def _files(epics: list[BundleEpic], filename: str) -> tuple[FileSpec, ...]:
    """The files beside the tasks each epic carries (``ccpm.files``)."""
    out = []
    for index, epic in enumerate(epics):
        items = [] if epic.ccpm is None else epic.ccpm.files
        repeated = _duplicates([item.path for item in items])
        if repeated is not None:
            message = f"epics[{index}] ({epic.slug}): file {repeated} appears twice"
            raise invalid(filename, None, message, code="invalid_bundle")
        out += [FileSpec(epic.slug, item.path, item.task, item.data) for item in items]
    return tuple(out)


def _duplicates(names: list[str]) -> str | None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def _constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _loads(data: bytes, filename: str) -> Any:
    """The parsed JSON. orjson refuses a lone surrogate (``"\\ud800"``), which is valid JSON:
    such a bundle is read again by the standard parser, so the string is named like any other
    the rules refuse."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        error = exc
    if "surrogate" in error.msg:
        try:
            return json.loads(data.decode("utf-8-sig"), parse_constant=_constant)
        except (ValueError, RecursionError):
            pass
    message = f"not valid JSON: {error.msg}"
    raise invalid(filename, error.lineno, message, code="invalid_json") from None


def read_bundle(data: bytes, filename: str) -> Upload:
    raw = _loads(data, filename)
    errors = string_errors(raw, filename)
    if errors:
        first = errors[0]["message"]
        raise invalid(filename, None, first, code="invalid_bundle", errors=errors)
    try:
        bundle = Bundle.model_validate(raw)
    except ValidationError as exc:
        loc, message = first_error(exc)
        shown = ".".join(str(part) for part in loc)
        raise invalid(
            filename, None, f"{shown}: {message}", code="invalid_bundle", errors=error_items(exc)
        ) from None
    epics = [_epic_spec(i, epic, filename) for i, epic in enumerate(bundle.epics)]
    tasks = [_task_spec(i, task, filename) for i, task in enumerate(bundle.tasks)]
    for kind, names in (("epic", [e.slug for e in epics]), ("task", [t.name for t in tasks])):
        repeated = _duplicates(names)
        if repeated is not None:
            raise invalid(filename, None, f"{kind} {repeated} appears twice", code="invalid_bundle")
    files = _files(bundle.epics, filename)
    return Upload(tuple(epics), tuple(tasks), refs_by="key", files=files)

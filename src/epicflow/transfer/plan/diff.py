"""What an upload changes about one task or epic, and the values to write: pure.

Markdown normalizes text (blank lines around a section dropped, a checklist item on one line),
so a stored value is compared as export would have written it: an export imported back is
``unchanged`` even where the API stored text a file cannot hold byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from epicflow.markdown import normalize_text
from epicflow.transfer.plan.inputs import Meta

TEXTS = frozenset({"description", "tdd_requirements", "technical_details"})
CHECKLISTS = frozenset({"acceptance_criteria", "definition_of_done"})
CLAIM_FIELDS = ("claimed_by", "claim_token", "lease_expires_at")


def _clean_check(text: str) -> str:
    return " ".join(normalize_text(text).split("\n")).strip()


def as_written(name: str, value: Any) -> Any:
    """A stored value as a markdown export would carry it."""
    if name in TEXTS and isinstance(value, str):
        return normalize_text(value)
    if name in CHECKLISTS and isinstance(value, list):
        cleaned = ((_clean_check(item["text"]), item["done"]) for item in value)
        return [{"text": text, "done": done} for text, done in cleaned if text]
    return value


def content_changes(
    incoming: Mapping[str, Any], stored: Mapping[str, Any], names: Iterable[str], markdown: bool
) -> list[str]:
    changed = []
    for name in names:
        new, old = incoming[name], stored[name]
        if new != old and not (markdown and new == as_written(name, old)):
            changed.append(name)
    return changed


def time_changes(
    given: Mapping[str, datetime | None], stored: Mapping[str, datetime | None]
) -> list[str]:
    return [name for name, value in given.items() if value != stored.get(name)]


def meta_changed(given: Meta | None, stored: Meta | None) -> bool:
    """Whether the upload's metadata means something else than what is kept (the bytes as
    written are not a change of meaning: ``kept_meta`` keeps them)."""
    if given is None:
        return False
    stored = stored or Meta()
    mine = (given.github, given.dependencies_note, dict(given.extra))
    return mine != (stored.github, stored.dependencies_note, dict(stored.extra))


def kept_meta(given: Meta | None, stored: Meta | None) -> Meta | None:
    """The metadata to keep: the upload's (None: not given, the stored one), with the stored
    bytes as written where the upload gives none (a JSON bundle)."""
    if given is None:
        return stored
    if given.written is None and stored is not None:
        return replace(given, written=stored.written, written_check=stored.written_check)
    return given


def merge_content(
    incoming: dict[str, Any], stored: Mapping[str, Any] | None, markdown: bool
) -> dict[str, Any]:
    """The values to write: what the upload says, except where it only differs by the
    normalization of markdown (the stored text is kept then)."""
    if stored is None or not markdown:
        return dict(incoming)
    return {
        name: stored[name] if value == as_written(name, stored[name]) else value
        for name, value in incoming.items()
    }


def task_times(
    given: Mapping[str, datetime | None],
    stored: Mapping[str, datetime | None] | None,
    status: str,
    now: datetime,
) -> dict[str, datetime | None]:
    """Timestamps as written where given; otherwise kept, or set as the status implies."""
    old = stored or {}
    created = given.get("created_at") or old.get("created_at") or given.get("updated_at") or now
    updated = given.get("updated_at")
    if updated is None or (stored is not None and updated == old.get("updated_at")):
        updated = now if stored is not None else created
    started = given["started_at"] if "started_at" in given else old.get("started_at")
    if started is None and status == "in_progress":
        started = updated
    completed = given["completed_at"] if "completed_at" in given else old.get("completed_at")
    if status != "done":
        completed = None if "completed_at" not in given else completed
    elif completed is None:
        completed = updated
    return {
        "created_at": created,
        "updated_at": updated,
        "started_at": started,
        "completed_at": completed,
    }


def epic_times(
    given: Mapping[str, datetime | None],
    stored: Mapping[str, datetime | None] | None,
    now: datetime,
) -> dict[str, datetime | None]:
    old = stored or {}
    created = given.get("created_at") or old.get("created_at") or given.get("updated_at") or now
    updated = given.get("updated_at")
    if updated is None or (stored is not None and updated == old.get("updated_at")):
        updated = now if stored is not None else created
    return {"created_at": created, "updated_at": updated}


def claim_after(status: str, stored_claim: Mapping[str, Any] | None) -> dict[str, Any]:
    """A claim survives only while its task stays in progress (as a status change by hand)."""
    if status == "in_progress" and stored_claim is not None:
        return dict(stored_claim)
    return dict.fromkeys(CLAIM_FIELDS)

"""Export of a task stored before ``title:`` was a field: its extra ``title`` is written back."""

from __future__ import annotations

from epicflow.markdown import parse_task, render_task
from epicflow.transfer.export.markdown import task_doc
from epicflow.transfer.plan.inputs import Meta, Snapshot, StoredTask

CONTENT = {
    "title": "Wire the webhook",
    "status": "open",
    "priority": 2,
    "description": "",
    "tdd_requirements": "",
    "technical_details": "",
    "acceptance_criteria": [],
    "definition_of_done": [],
    "estimate_size": None,
    "estimate_hours": None,
    "parallel": True,
}


def stored(extra: dict[str, str]) -> StoredTask:
    return StoredTask(
        id=1,
        key="PAY-1",
        number=1,
        epic_id=None,
        content=CONTENT,
        labels=(),
        assignee_id=None,
        times=dict.fromkeys(("created_at", "updated_at", "started_at", "completed_at")),
        version=1,
        claim={},
        meta=Meta(extra=extra),
    )


def test_a_stored_extra_title_that_agrees_is_written_beside_name() -> None:
    task = stored({"title": "Wire the webhook"})
    snapshot = Snapshot("PAY", 1, {1: task}, {}, {}, {}, {}, frozenset())
    text = render_task(task_doc(task, snapshot, {1: ("unassigned", "001")}))
    assert text.startswith("---\nname: Wire the webhook\ntitle: Wire the webhook\nstatus: open\n")
    assert parse_task(text, filename="epics/unassigned/001.md").extra == {}

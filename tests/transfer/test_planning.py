"""The pure core of import and export: names, times, diffs and the planner, without a database."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from epicflow.tasks.models import TASK_CONTENT
from epicflow.tasks.schemas import MAX_EDGES
from epicflow.transfer.plan.diff import as_written, content_changes, task_times
from epicflow.transfer.plan.inputs import (
    Meta,
    Snapshot,
    StoredEpic,
    StoredTask,
    TaskSpec,
    Upload,
    format_time,
    parse_time,
)
from epicflow.transfer.plan.planner import Planner, Refused
from epicflow.transfer.plan.task_files import export_refs
from epicflow.transfer.schemas import MarkdownTaskContent, task_content

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
CONTENT: dict[str, Any] = {
    "title": "Do it",
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


def stored(number: int, epic_id: int | None = 1, path: str | None = None) -> StoredTask:
    times: dict[str, datetime | None] = dict.fromkeys(
        ("created_at", "updated_at", "started_at", "completed_at")
    )
    return StoredTask(
        id=number,
        key=f"WEB-{number}",
        number=number,
        epic_id=epic_id,
        content=dict(CONTENT),
        labels=(),
        assignee_id=None,
        times=times,
        version=1,
        claim={},
        path=path,
    )


def snapshot(*tasks: StoredTask, deps: dict[int, set[int]] | None = None) -> Snapshot:
    epic = StoredEpic(1, "api", {}, {})
    return Snapshot(
        project_key="WEB",
        counter=max((t.number for t in tasks), default=0),
        tasks={t.id: t for t in tasks},
        epics={1: epic},
        deps=deps or {},
        conflicts={},
        emails={},
        members=frozenset(),
    )


def spec(name: str, **fields: Any) -> TaskSpec:
    values: dict[str, Any] = {
        "name": name,
        "file": f"epics/{name}.md",
        "where": f"epics/{name}.md",
        "epic": name.split("/")[0],
        "key": None,
        "path": name,
        "content": dict(CONTENT),
    }
    values.update(fields)
    return TaskSpec(**values)


def plan(upload: list[TaskSpec], snap: Snapshot, refs_by: str = "path") -> Any:
    upload_of = Upload((), tuple(upload), refs_by)  # type: ignore[arg-type]
    return Planner(upload_of, snap, max_refs=MAX_EDGES).plan(NOW)


class TestExportNames:
    def test_imported_paths_are_kept_and_the_rest_fill_the_gaps_in_key_order(self) -> None:
        snap = snapshot(stored(1), stored(2, path="api/001"), stored(3), stored(4, epic_id=None))
        assert export_refs(snap) == {
            2: ("api", "001"),
            1: ("api", "002"),
            3: ("api", "003"),
            4: ("unassigned", "001"),
        }

    def test_a_path_of_another_epic_is_not_kept(self) -> None:
        assert export_refs(snapshot(stored(1, path="web/007")))[1] == ("api", "001")


class TestTimes:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("2025-08-01", datetime(2025, 8, 1, tzinfo=UTC)),
            ("2025-08-01T09:30:00", datetime(2025, 8, 1, 9, 30, tzinfo=UTC)),
            ("2025-08-01T11:30:00+02:00", datetime(2025, 8, 1, 9, 30, tzinfo=UTC)),
        ],
    )
    def test_dates_and_naive_times_read_as_utc(self, text: str, expected: datetime) -> None:
        assert parse_time(text) == expected

    def test_a_time_before_year_one_in_utc_is_refused(self) -> None:
        with pytest.raises(ValueError, match="out of range"):
            parse_time("0001-01-01T00:00:00+01:00")

    def test_format_is_z_with_fractions_only_when_present(self) -> None:
        assert format_time(datetime(1, 1, 1, tzinfo=UTC)) == "0001-01-01T00:00:00Z"
        assert format_time(datetime(2025, 1, 1, 0, 0, 0, 5, tzinfo=UTC)).endswith(".000005Z")

    def test_a_new_done_task_without_times_is_completed_when_updated(self) -> None:
        written = datetime(2025, 1, 1, tzinfo=UTC)
        times = task_times({"updated_at": written}, None, "done", NOW)
        assert times["created_at"] == times["completed_at"] == written
        assert times["started_at"] is None

    def test_a_changed_task_without_a_new_updated_time_is_updated_now(self) -> None:
        old = {"created_at": NOW, "updated_at": datetime(2025, 1, 1, tzinfo=UTC)}
        times = task_times({"updated_at": old["updated_at"]}, old, "in_progress", NOW)
        assert times["updated_at"] == times["started_at"] == NOW


class TestMarkdownNormalization:
    def test_text_that_only_differs_by_what_a_file_can_hold_is_unchanged(self) -> None:
        old = {"description": "\n\nline\n\n", "acceptance_criteria": [{"text": "a  ", "done": 1}]}
        new = {"description": "line", "acceptance_criteria": [{"text": "a", "done": 1}]}
        assert content_changes(new, old, new, markdown=True) == []
        assert content_changes(new, old, new, markdown=False) == list(new)

    def test_as_written_flattens_checklist_items(self) -> None:
        items = [{"text": "one\ntwo", "done": False}, {"text": " ", "done": True}]
        assert as_written("definition_of_done", items) == [{"text": "one two", "done": False}]


class TestPlanner:
    def test_a_task_is_compared_on_every_content_column(self) -> None:
        """The planner compares the fields the readers give, so they must be all of them."""
        content = task_content(MarkdownTaskContent.model_validate({"title": "Do it"}))
        assert tuple(content) == TASK_CONTENT == tuple(CONTENT)

    def test_a_key_wins_over_a_path_and_the_path_then_names_a_new_task(self) -> None:
        snap = snapshot(stored(1, path="api/001"), stored(2))
        result = plan([spec("api/001"), spec("api/002", key="WEB-1")], snap)
        keys = {task.spec.name: task.key for task in result.tasks}
        assert keys == {"api/002": "WEB-1", "api/001": "WEB-3"}

    def test_new_tasks_are_numbered_in_the_order_of_their_old_keys(self) -> None:
        result = plan([spec("api/001", key="OLD-9"), spec("api/002", key="OLD-4")], snapshot())
        assert [(t.spec.name, t.number) for t in result.tasks] == [("api/001", 2), ("api/002", 1)]

    def test_conflicts_are_made_symmetric(self) -> None:
        result = plan([spec("api/001", conflicts_with=("api/002",)), spec("api/002")], snapshot())
        assert [sorted(t.conflicts) for t in result.tasks] == [["WEB-2"], ["WEB-1"]]

    def test_a_cycle_through_the_project_names_upload_names_and_keys(self) -> None:
        snap = snapshot(stored(1), stored(2), deps={2: {1}})
        upload = [spec("api/001", key="WEB-1", depends_on=("api/002",))]
        with pytest.raises(Refused) as info:
            plan(upload, snap)
        assert (info.value.conflict, info.value.code) == (True, "dependency_cycle")
        assert info.value.extra["cycle"] == ["api/001", "WEB-2", "api/001"]

    def test_bundle_refs_are_keys_and_an_unknown_epic_is_refused(self) -> None:
        bundle = spec("WEB-9", epic="nowhere", key="WEB-9", path=None, from_markdown=False)
        with pytest.raises(Refused) as info:
            plan([bundle], snapshot(), refs_by="key")
        assert (info.value.conflict, info.value.code) == (False, "unknown_epic")

    def test_the_current_assignee_may_stay_though_no_longer_a_member(self) -> None:
        gone = uuid.uuid4()
        task = stored(1)
        task.assignee_id = gone
        snap = snapshot(task)
        snap.emails[gone] = "gone@example.com"
        result = plan([spec("api/001", key="WEB-1", assignee="GONE@example.com")], snap)
        assert result.tasks[0].changed == ()

    def test_an_unchanged_task_still_records_its_path(self) -> None:
        result = plan([spec("api/001", key="WEB-1", meta=Meta())], snapshot(stored(1)))
        [task] = result.tasks
        assert (task.changed, task.write_source, task.path) == ((), True, "api/001")

"""The stress checks on small hand-written histories, one per rule, so each is known to bite."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.stress.history import (
    Violation,
    check_client_log,
    check_history,
)
from tests.support.stress.workers import (
    ClaimRecord,
    RunLog,
)

T0 = datetime(2025, 1, 1, tzinfo=UTC)


class History:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def add(
        self, kind: str, task: str, second: float, worker: str = "w1", lease: float = 60
    ) -> History:
        data: dict[str, Any] = {"worker": worker}
        if kind == "claim.acquired":
            data["lease_expires_at"] = (T0 + timedelta(seconds=second + lease)).isoformat()
        at = (T0 + timedelta(seconds=second)).isoformat()
        actor = "lease-sweeper" if kind == "claim.expired" else "owner@example.com"
        self.events.append(
            {
                "id": len(self.events) + 1,
                "type": kind,
                "actor": actor,
                "task": task,
                "data": data,
                "created_at": at,
            }
        )
        return self

    def run(self, key: str, start: float, end: float, worker: str = "w1") -> History:
        return self.add("claim.acquired", key, start, worker).add(
            "task.completed", key, end, worker
        )


def task(
    key: str,
    *,
    depends_on: Sequence[str] = (),
    conflicts_with: Sequence[str] = (),
    epic: str | None = None,
    parallel: bool = True,
    status: str = "done",
) -> dict[str, Any]:
    return {
        "key": key,
        "status": status,
        "epic": epic,
        "parallel": parallel,
        "depends_on": list(depends_on),
        "conflicts_with": list(conflicts_with),
    }


def rules(violations: Sequence[Violation]) -> set[str]:
    return {v.rule for v in violations}


class TestTheChecks:
    def test_a_clean_history_passes(self) -> None:
        tasks = [
            task("A"),
            task("B", depends_on=["A"], conflicts_with=["C"]),
            task("C", conflicts_with=["B"], epic="e", parallel=False),
            task("D", epic="e"),
        ]
        history = (
            History()
            .run("A", 0, 1)
            .add("claim.acquired", "B", 2, "w1", lease=1)
            .add("claim.expired", "B", 3.5, "w1")
            .run("B", 4, 5, "w2")
            .run("C", 6, 7)
            .run("D", 8, 9, "w2")
        )
        assert check_history(tasks, history.events) == []
        assert check_history(tasks, history.events, order="clock") == []

    def test_a_task_started_before_its_dependency_was_done(self) -> None:
        tasks = [task("A"), task("B", depends_on=["A"])]
        history = History().add("claim.acquired", "A", 0).run("B", 1, 2, "w2")
        history.add("task.completed", "A", 3)
        assert rules(check_history(tasks, history.events)) == {"dependencies_first"}

    def test_conflicting_tasks_overlapping(self) -> None:
        tasks = [task("A", conflicts_with=["B"]), task("B", conflicts_with=["A"])]
        history = History().add("claim.acquired", "A", 0).run("B", 1, 2, "w2")
        history.add("task.completed", "A", 3)
        assert rules(check_history(tasks, history.events)) == {"conflicts_apart"}

    def test_an_exclusive_task_beside_another_of_its_epic(self) -> None:
        tasks = [task("A", epic="e", parallel=False), task("B", epic="e"), task("C", epic="f")]
        history = History().add("claim.acquired", "B", 0).run("C", 0.5, 1, "w3")
        history.run("A", 1, 2, "w2").add("task.completed", "B", 3)
        assert rules(check_history(tasks, history.events)) == {"exclusive_alone"}

    def test_two_live_claims_and_two_completions(self) -> None:
        tasks = [task("A")]
        history = History().add("claim.acquired", "A", 0).add("claim.acquired", "A", 0.1, "w2")
        history.add("task.completed", "A", 1, "w2").add("task.completed", "A", 2)
        found = rules(check_history(tasks, history.events))
        assert found == {"one_live_claim", "claim_life", "completed_once"}

    def test_a_task_left_undone(self) -> None:
        tasks = [task("A", status="in_progress")]
        history = History().add("claim.acquired", "A", 0)
        assert rules(check_history(tasks, history.events)) == {"completed_once"}

    def test_a_completion_after_the_lease_unless_a_heartbeat_extended_it(self) -> None:
        tasks = [task("A")]
        history = History().add("claim.acquired", "A", 0, lease=5).add("task.completed", "A", 6)
        assert rules(check_history(tasks, history.events)) == {"lease_respected"}
        acquired = T0 + timedelta(seconds=5)
        extended = {("A", "w1", acquired): T0 + timedelta(seconds=30)}
        assert check_history(tasks, history.events, extensions=extended) == []

    def test_an_expiry_before_the_lease_ran_out(self) -> None:
        tasks = [task("A")]
        history = History().add("claim.acquired", "A", 0, lease=5).add("claim.expired", "A", 2)
        history.run("A", 3, 4, "w2")
        assert rules(check_history(tasks, history.events)) == {"lease_respected"}

    def test_clock_order_judges_by_timestamps(self) -> None:
        # fine in feed order, but B's claim carries a time before A's completion
        tasks = [task("A"), task("B", depends_on=["A"])]
        history = History().run("A", 0, 2).run("B", 1, 3, "w2")
        assert check_history(tasks, history.events) == []
        assert rules(check_history(tasks, history.events, order="clock")) == {"dependencies_first"}

    def test_the_client_log_catches_a_stale_token_accepted(self) -> None:
        history = History().add("claim.acquired", "A", 0, lease=2).add("task.completed", "A", 3)
        expiry = T0 + timedelta(seconds=2)
        stale = ClaimRecord("w1", "A", "t", expiry, expiry, stalled=True)
        stale.complete_sent_at, stale.complete_status = T0 + timedelta(seconds=3), 200
        log = RunLog(claims=[stale])
        assert rules(check_client_log(log, history.events)) == {"stale_token_refused"}
        log.claims.append(ClaimRecord("w2", "A", "u", expiry, expiry, stalled=False))
        assert "answers_recorded" in rules(check_client_log(log, history.events))

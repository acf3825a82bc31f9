"""Critical path and wave plan (SPEC §5): hand-worked graphs, then properties."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epicflow.graph import CycleError, Graph, Node, ScheduleEntry, critical_path, plan
from epicflow.graph.schedule import constrained_waves, free_waves, is_unconstrained, plan_ranking
from tests.support.graph_strategies import conflict, exclusive_clash, graphs, unresolved


def task(key: str, status: str = "open", **kw: object) -> Node:
    return Node(key=key, number=int(key.split("-")[1]), status=status, **kw)  # type: ignore[arg-type]


def diamond(top: str = "open") -> list[Node]:
    return [
        task("W-1", top, hours=1),
        task("W-2", hours=5, depends_on=("W-1",)),
        task("W-3", hours=2, depends_on=("W-1",)),
        task("W-4", hours=1, depends_on=("W-3", "W-2")),
    ]


def waves_of(nodes: list[Node], workers: int | None = None) -> list[list[str]]:
    return [wave.tasks for wave in plan(nodes, workers).waves]


class TestCriticalPath:
    def test_a_diamond_runs_through_its_longer_branch(self) -> None:
        result = critical_path(diamond())
        assert result.path == ["W-1", "W-2", "W-4"]
        assert result.hours == 7.0
        assert result.schedule == {
            "W-1": ScheduleEntry(0.0, 0.0, 0.0),
            "W-2": ScheduleEntry(1.0, 1.0, 0.0),
            "W-3": ScheduleEntry(1.0, 4.0, 3.0),
            "W-4": ScheduleEntry(6.0, 6.0, 0.0),
        }

    def test_finished_dependencies_count_as_done_at_time_zero(self) -> None:
        result = critical_path(diamond("done"))
        assert result.path == ["W-2", "W-4"]
        assert result.hours == 6.0
        assert "W-1" not in result.schedule
        assert result.schedule["W-3"] == ScheduleEntry(0.0, 3.0, 3.0)

    def test_hours_that_floats_cannot_hold_exactly_come_out_rounded(self) -> None:
        # 0.1 + 0.2 is 0.30000000000000004 in floats; a schedule should not say so.
        nodes = [
            task("W-1", hours=0.1),
            task("W-2", hours=0.2, depends_on=("W-1",)),
            task("W-3", hours=0.7, depends_on=("W-2",)),
            task("W-4", hours=0.3, depends_on=("W-1",)),
        ]
        result = critical_path(nodes)
        assert (result.path, result.hours) == (["W-1", "W-2", "W-3"], 1.0)
        assert result.schedule["W-3"] == ScheduleEntry(0.3, 0.3, 0.0)
        assert result.schedule["W-4"] == ScheduleEntry(0.1, 0.7, 0.6)

    def test_nothing_left_to_do_has_an_empty_path(self) -> None:
        result = critical_path([task("W-1", "done", hours=3), task("W-2", "cancelled")])
        assert (result.path, result.hours, result.schedule) == ([], 0.0, {})

    def test_a_cycle_is_refused(self) -> None:
        with pytest.raises(CycleError) as caught:
            critical_path([task("W-1", depends_on=("W-2",)), task("W-2", depends_on=("W-1",))])
        assert caught.value.cycle == ["W-1", "W-2", "W-1"]


class TestWaves:
    def test_a_diamond_takes_three_waves(self) -> None:
        result = plan(diamond())
        assert [(w.index, w.tasks, w.hours) for w in result.waves] == [
            (1, ["W-1"], 1.0),
            (2, ["W-2", "W-3"], 5.0),
            (3, ["W-4"], 1.0),
        ]
        assert (result.critical_path, result.critical_hours) == (["W-1", "W-2", "W-4"], 7.0)
        assert (result.total_hours, result.remaining_hours, result.projected_hours) == (
            9.0,
            9.0,
            7.0,
        )

    def test_hour_totals_leave_out_cancelled_and_remaining_leaves_out_done(self) -> None:
        nodes = [
            task("W-1", "done", hours=2),
            task("W-2", "cancelled", hours=3),
            task("W-3", hours=4),
        ]
        result = plan(nodes)
        assert (result.total_hours, result.remaining_hours) == (6.0, 4.0)
        assert waves_of(nodes) == [["W-3"]]

    def test_work_in_progress_shares_wave_one_with_what_can_start(self) -> None:
        nodes = [
            task("W-1", "in_progress", hours=1),
            task("W-2", hours=1),
            task("W-3", depends_on=("W-1",)),
        ]
        assert waves_of(nodes) == [["W-1", "W-2"], ["W-3"]]

    def test_conflicting_tasks_go_to_separate_waves_longest_chain_first(self) -> None:
        nodes = [
            task("W-1", hours=1, conflicts_with=("W-2",)),
            task("W-2", hours=3),
            task("W-3", hours=1),
        ]
        assert waves_of(nodes) == [["W-2", "W-3"], ["W-1"]]

    def test_a_conflict_with_running_work_waits_a_wave(self) -> None:
        nodes = [task("W-1", "in_progress"), task("W-2", conflicts_with=("W-1",), hours=9)]
        assert waves_of(nodes) == [["W-1"], ["W-2"]]

    def test_an_exclusive_task_gets_its_epic_to_itself(self) -> None:
        nodes = [
            task("W-1", epic="e", hours=2),
            task("W-2", epic="e", parallel=False, hours=5),
            task("W-3", epic="e", hours=1),
            task("W-4", epic="f", hours=1),
        ]
        assert waves_of(nodes) == [["W-2", "W-4"], ["W-1", "W-3"]]

    def test_a_running_task_keeps_an_exclusive_one_waiting(self) -> None:
        nodes = [task("W-1", "in_progress", epic="e"), task("W-2", epic="e", parallel=False)]
        assert waves_of(nodes) == [["W-1"], ["W-2"]]

    def test_exclusive_tasks_without_an_epic_run_side_by_side(self) -> None:
        nodes = [task("W-1", parallel=False), task("W-2", parallel=False)]
        assert waves_of(nodes) == [["W-1", "W-2"]]

    def test_worker_cap_places_critical_work_first(self) -> None:
        nodes = [
            task("W-1", hours=1),
            task("W-2", hours=1),
            task("W-3", hours=2),
            task("W-4", hours=8, depends_on=("W-3",)),
            task("W-5", hours=1),
        ]
        assert waves_of(nodes, workers=2) == [["W-3", "W-1"], ["W-4", "W-2"], ["W-5"]]

    def test_priority_breaks_ties_between_equally_critical_tasks(self) -> None:
        nodes = [task("W-1", priority=3, hours=1), task("W-2", priority=0, hours=1)]
        assert waves_of(nodes, workers=1) == [["W-2"], ["W-1"]]

    def test_a_task_blocked_by_hand_is_planned_like_an_open_one(self) -> None:
        nodes = [task("W-1", "blocked", hours=1), task("W-2", depends_on=("W-1",))]
        assert waves_of(nodes) == [["W-1"], ["W-2"]]

    def test_nothing_to_do_is_an_empty_plan(self) -> None:
        result = plan([task("W-1", "done", hours=2)])
        assert (result.waves, result.projected_hours, result.critical_hours) == ([], 0.0, 0.0)

    def test_workers_must_be_positive(self) -> None:
        with pytest.raises(ValueError, match="workers"):
            plan(diamond(), workers=0)

    def test_the_plan_serialises_to_the_spec_shape(self) -> None:
        shape = plan(diamond()).to_dict()
        assert shape["waves"][0] == {"index": 1, "tasks": ["W-1"], "hours": 1.0}
        assert shape["schedule"]["W-3"] == {
            "earliest_start": 1.0,
            "latest_start": 4.0,
            "slack": 3.0,
        }
        assert set(shape) == {
            "waves",
            "critical_path",
            "critical_hours",
            "total_hours",
            "remaining_hours",
            "projected_hours",
            "schedule",
        }


def longest_path(nodes: list[Node]) -> float:
    todo = {n.key: n for n in unresolved(nodes)}

    def ending_at(n: Node) -> float:
        before = [ending_at(todo[d]) for d in n.depends_on if d in todo]
        return n.hours + max(before, default=0.0)

    return max((ending_at(n) for n in todo.values()), default=0.0)


class TestCriticalPathProperties:
    @settings(max_examples=150, deadline=None)
    @given(graphs())
    def test_critical_hours_are_the_longest_chain(self, nodes: list[Node]) -> None:
        result = critical_path(nodes)
        assert result.hours == pytest.approx(longest_path(nodes))
        by_key = {n.key: n for n in nodes}
        assert sum(by_key[k].hours for k in result.path) == pytest.approx(result.hours)
        for before, after in pairwise(result.path):
            assert before in by_key[after].depends_on

    @settings(max_examples=150, deadline=None)
    @given(graphs())
    def test_slack_is_never_negative_and_zero_on_the_path(self, nodes: list[Node]) -> None:
        result = critical_path(nodes)
        assert set(result.schedule) == {n.key for n in unresolved(nodes)}
        assert all(entry.slack >= 0 for entry in result.schedule.values())
        assert all(result.schedule[k].slack == 0 for k in result.path)
        for n in unresolved(nodes):
            entry = result.schedule[n.key]
            assert entry.latest_start + n.hours <= result.hours + 1e-9
            for dep in n.depends_on:
                if dep in result.schedule:
                    assert entry.earliest_start >= result.schedule[dep].earliest_start


class TestWaveProperties:
    @settings(max_examples=150, deadline=None)
    @given(graphs(), st.one_of(st.none(), st.integers(min_value=1, max_value=4)))
    def test_waves_respect_dependencies_conflicts_exclusivity_and_cap(
        self, nodes: list[Node], workers: int | None
    ) -> None:
        result = plan(nodes, workers)
        by_key = {n.key: n for n in nodes}
        wave_of = {k: w.index for w in result.waves for k in w.tasks}
        placed = [k for w in result.waves for k in w.tasks]
        assert sorted(placed) == sorted(n.key for n in unresolved(nodes))
        running = [n.key for n in nodes if n.status == "in_progress"]
        assert all(wave_of[k] == 1 for k in running)
        for wave in result.waves:
            members = [by_key[k] for k in wave.tasks]
            cap = max(workers, len(running)) if wave.index == 1 and workers else workers
            assert cap is None or len(members) <= cap
            assert wave.hours == max(m.hours for m in members)
            for a in members:
                for b in members:
                    both_running = a.status == b.status == "in_progress"
                    assert both_running or not (conflict(a, b) or exclusive_clash(a, b))
        for n in unresolved(nodes):
            if n.status != "in_progress":
                assert all(wave_of[n.key] > wave_of[d] for d in n.depends_on if d in wave_of)
        assert result.projected_hours == pytest.approx(sum(w.hours for w in result.waves))

    @settings(max_examples=150, deadline=None)
    @given(graphs())
    def test_no_task_waits_a_wave_without_a_reason(self, nodes: list[Node]) -> None:
        # Without a cap, a task left out of a wave it could have joined must clash with a member.
        result = plan(nodes)
        by_key = {n.key: n for n in nodes}
        wave_of = {k: w.index for w in result.waves for k in w.tasks}
        for key, index in wave_of.items():
            ready_at = 1 + max(
                (wave_of[d] for d in by_key[key].depends_on if d in wave_of), default=0
            )
            for earlier in range(ready_at, index):
                members = [by_key[k] for k in result.waves[earlier - 1].tasks]
                n = by_key[key]
                assert any(conflict(n, m) or exclusive_clash(n, m) for m in members)

    @settings(max_examples=100, deadline=None)
    @given(graphs(), st.one_of(st.none(), st.integers(min_value=1, max_value=4)))
    def test_the_fast_engine_matches_the_general_one_when_rules_3_and_4_cannot_bite(
        self, nodes: list[Node], workers: int | None
    ) -> None:
        free = [dataclasses.replace(n, conflicts_with=(), parallel=True) for n in nodes]
        graph = Graph(free)
        assert is_unconstrained(graph)
        ranking = plan_ranking(graph)
        assert free_waves(graph, ranking, workers) == constrained_waves(graph, ranking, workers)


class TestPlanningOnlyTheOpenWork:
    @settings(max_examples=150, deadline=None)
    @given(graphs(), st.one_of(st.none(), st.integers(min_value=1, max_value=4)))
    def test_leaving_resolved_tasks_out_changes_nothing_but_needs_their_hours(
        self, nodes: list[Node], workers: int | None
    ) -> None:
        done = sum(n.hours for n in nodes if n.status == "done")
        whole = plan(nodes, workers).to_dict()
        open_only = plan(unresolved(nodes), workers, done_hours=done).to_dict()
        assert open_only.pop("total_hours") == pytest.approx(whole.pop("total_hours"))
        assert open_only == whole

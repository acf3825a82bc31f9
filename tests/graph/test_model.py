"""Estimates and the plain value types."""

from __future__ import annotations

import pytest

from epicflow.graph import (
    RESOLVED,
    CycleError,
    Graph,
    Node,
    effective_hours,
    plan,
    simulate_makespan,
)


class TestEffectiveHours:
    @pytest.mark.parametrize(
        ("hours", "size", "expected"),
        [
            (5.5, "XL", 5.5),
            (0.0, "L", 0.0),
            (None, "XS", 2.0),
            (None, "S", 4.0),
            (None, "M", 8.0),
            (None, "L", 16.0),
            (None, "XL", 24.0),
            (None, "m", 8.0),
            (None, "XXL", 0.0),
            (None, None, 0.0),
        ],
    )
    def test_explicit_hours_win_then_size_then_nothing(
        self, hours: float | None, size: str | None, expected: float
    ) -> None:
        assert effective_hours(hours, size) == expected


class TestValueTypes:
    def test_a_node_defaults_to_a_normal_parallel_task(self) -> None:
        node = Node(key="W-1", number=1, status="open")
        assert (node.priority, node.epic, node.parallel, node.hours, node.claimed) == (
            2,
            None,
            True,
            0.0,
            False,
        )

    def test_done_and_cancelled_resolve_a_dependency(self) -> None:
        assert frozenset({"done", "cancelled"}) == RESOLVED

    def test_a_graph_refuses_two_tasks_with_one_key(self) -> None:
        with pytest.raises(ValueError, match="W-1"):
            Graph([Node("W-1", 1, "open"), Node("W-1", 1, "done")])


class TestCyclesAreRefusedWhereNoAnswerExists:
    LOOP = [
        Node("W-1", 1, "open", depends_on=("W-2",)),
        Node("W-2", 2, "open", depends_on=("W-1",)),
    ]

    def test_plan_names_the_cycle(self) -> None:
        with pytest.raises(CycleError, match="W-1 -> W-2 -> W-1"):
            plan(self.LOOP)

    def test_simulation_names_the_cycle(self) -> None:
        with pytest.raises(CycleError):
            simulate_makespan(self.LOOP, 2)

    def test_a_cycle_through_finished_work_no_longer_matters(self) -> None:
        nodes = [
            Node("W-1", 1, "done", depends_on=("W-2",)),
            Node("W-2", 2, "open", depends_on=("W-1",)),
        ]
        assert [w.tasks for w in plan(nodes).waves] == [["W-2"]]

    def test_the_ready_queue_still_answers_on_a_cyclic_graph(self) -> None:
        graph = Graph([*self.LOOP, Node("W-3", 3, "open", hours=1)])
        assert graph.ready_keys() == ["W-3"]
        assert graph.downstream_hours() == {"W-1": 0.0, "W-2": 0.0, "W-3": 1.0}

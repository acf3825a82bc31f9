"""Cycle detection: hand-made graphs first, then properties against a plain reachability oracle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from epicflow.graph import find_any_cycle, find_cycle_with


def is_real_cycle(deps: Mapping[str, Sequence[str]], cycle: Sequence[str]) -> bool:
    closed = len(cycle) >= 2 and cycle[0] == cycle[-1]
    return closed and all(b in deps.get(a, ()) for a, b in pairwise(cycle))


def reaches(deps: Mapping[str, Sequence[str]], start: str, goal: str) -> bool:
    seen = {start}
    todo = [start]
    while todo:
        here = todo.pop()
        if here == goal:
            return True
        for nxt in deps.get(here, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return False


class TestAddingADependency:
    def test_two_tasks_depending_on_each_other_close_a_cycle(self) -> None:
        deps = {"A": [], "B": ["A"]}
        assert find_cycle_with(deps, "A", ["B"]) == ["A", "B", "A"]

    def test_a_long_way_round_is_reported_in_depends_on_direction(self) -> None:
        deps = {"A": [], "B": ["C"], "C": ["D"], "D": ["A"]}
        assert find_cycle_with(deps, "A", ["B"]) == ["A", "B", "C", "D", "A"]

    def test_self_dependency_is_a_cycle_of_one(self) -> None:
        assert find_cycle_with({"A": []}, "A", ["A"]) == ["A", "A"]

    def test_a_diamond_is_not_a_cycle(self) -> None:
        deps = {"A": [], "B": ["A"], "C": ["A"], "D": []}
        assert find_cycle_with(deps, "D", ["B", "C"]) is None

    def test_old_dependencies_are_replaced_not_kept(self) -> None:
        # A used to wait on B; dropping that edge lets B wait on A.
        deps = {"A": ["B"], "B": []}
        assert find_cycle_with(deps, "A", []) is None
        assert find_cycle_with({"A": [], "B": []}, "B", ["A"]) is None

    def test_the_old_edge_of_the_task_does_not_count(self) -> None:
        deps = {"A": ["B"], "B": ["C"], "C": []}
        assert find_cycle_with(deps, "C", ["A"]) == ["C", "A", "B", "C"]
        assert find_cycle_with(deps, "A", ["C"]) is None

    def test_unknown_keys_have_no_dependencies(self) -> None:
        assert find_cycle_with({"A": []}, "A", ["ZZ"]) is None
        assert find_cycle_with({}, "NEW", ["A"]) is None

    def test_a_hundred_thousand_long_chain_needs_no_recursion(self) -> None:
        n = 100_000
        deps = {f"T{i}": [f"T{i - 1}"] if i else [] for i in range(n)}
        cycle = find_cycle_with(deps, "T0", [f"T{n - 1}"])
        assert cycle is not None
        assert len(cycle) == n + 1
        assert is_real_cycle({**deps, "T0": [f"T{n - 1}"]}, cycle)


class TestWholeGraphValidation:
    def test_an_acyclic_graph_has_no_cycle(self) -> None:
        assert find_any_cycle({"A": [], "B": ["A"], "C": ["A", "B"]}) is None

    def test_a_triangle_is_found(self) -> None:
        deps = {"A": ["B"], "B": ["C"], "C": ["A"], "D": ["A"]}
        cycle = find_any_cycle(deps)
        assert cycle is not None
        assert is_real_cycle(deps, cycle)
        assert sorted(cycle[:-1]) == ["A", "B", "C"]

    def test_self_dependency_is_found(self) -> None:
        assert find_any_cycle({"A": ["A"]}) == ["A", "A"]

    def test_dependencies_on_keys_outside_the_mapping_are_leaves(self) -> None:
        assert find_any_cycle({"A": ["X"], "B": ["X", "A"]}) is None

    def test_a_hundred_thousand_long_cycle_needs_no_recursion(self) -> None:
        n = 100_000
        deps = {f"T{i}": [f"T{(i + 1) % n}"] for i in range(n)}
        cycle = find_any_cycle(deps)
        assert cycle is not None
        assert len(cycle) == n + 1
        assert is_real_cycle(deps, cycle)


KEYS = [f"K{i}" for i in range(8)]
edge_lists = st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(KEYS)), max_size=30)


class TestCycleProperties:
    @settings(max_examples=300, deadline=None)
    @given(edge_lists)
    def test_adding_edges_one_by_one_keeps_the_graph_acyclic(
        self, edges: list[tuple[str, str]]
    ) -> None:
        deps: dict[str, list[str]] = {k: [] for k in KEYS}
        for task, dep in edges:
            would_cycle = task == dep or reaches(deps, dep, task)
            cycle = find_cycle_with(deps, task, [*deps[task], dep])
            assert (cycle is not None) == would_cycle
            if cycle is None:
                deps[task].append(dep)
                continue
            proposed = {**deps, task: [*deps[task], dep]}
            assert is_real_cycle(proposed, cycle)
            # Old edges were accepted, so only the new edge can close the cycle.
            assert cycle[:2] == [task, dep]
        assert find_any_cycle(deps) is None

    @settings(max_examples=300, deadline=None)
    @given(edge_lists)
    def test_whole_graph_check_agrees_with_reachability(self, edges: list[tuple[str, str]]) -> None:
        deps: dict[str, list[str]] = {k: [] for k in KEYS}
        for task, dep in edges:
            deps[task].append(dep)
        has_cycle = any(reaches(deps, dep, task) for task in KEYS for dep in deps[task])
        cycle = find_any_cycle(deps)
        assert (cycle is not None) == has_cycle
        if cycle is not None:
            assert is_real_cycle(deps, cycle)

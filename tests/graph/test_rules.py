"""Graph: blocked_by, the start rules (SPEC §2 rules 2-5), the ready queue and claim order."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from epicflow.graph import RESOLVED, Graph, Node, StartViolation
from tests.support.graph_strategies import conflict, exclusive_clash, graphs


def task(key: str, status: str = "open", **kw: object) -> Node:
    return Node(key=key, number=int(key.split("-")[1]), status=status, **kw)  # type: ignore[arg-type]


def diamond(top: str = "open") -> Graph:
    # W-1 <- W-2, W-3 <- W-4: two branches that both wait on W-1 and join again in W-4.
    return Graph(
        [
            task("W-1", top, hours=1),
            task("W-2", hours=5, depends_on=("W-1",)),
            task("W-3", hours=2, depends_on=("W-1",)),
            task("W-4", hours=1, depends_on=("W-3", "W-2")),
        ]
    )


class TestBlockedBy:
    def test_a_join_waits_on_both_branches_in_number_order(self) -> None:
        assert diamond().blocked_by("W-4") == ["W-2", "W-3"]

    def test_resolved_dependencies_no_longer_block(self) -> None:
        graph = Graph(
            [task("W-1", "done"), task("W-2", "cancelled"), task("W-3", depends_on=("W-2", "W-1"))]
        )
        assert graph.blocked_by("W-3") == []

    def test_numbers_sort_numerically_not_as_text(self) -> None:
        graph = Graph([task("W-10"), task("W-2"), task("W-11", depends_on=("W-10", "W-2"))])
        assert graph.blocked_by("W-11") == ["W-2", "W-10"]

    def test_dependencies_outside_the_graph_are_ignored(self) -> None:
        assert Graph([task("W-1", depends_on=("X-9",))]).blocked_by("W-1") == []

    def test_an_unknown_task_is_a_key_error(self) -> None:
        with pytest.raises(KeyError):
            diamond().blocked_by("W-99")


class TestStartingATask:
    def test_unresolved_dependencies_are_reported_first(self) -> None:
        graph = Graph(
            [
                task("W-1"),
                task("W-2", "in_progress", epic="e"),
                task("W-3", depends_on=("W-1",), conflicts_with=("W-2",), epic="e", parallel=False),
            ]
        )
        assert graph.start_violation("W-3") == StartViolation("blocked_by_dependencies", ("W-1",))

    def test_a_conflict_listed_on_either_side_blocks(self) -> None:
        graph = Graph(
            [
                task("W-1", "in_progress"),
                task("W-2", conflicts_with=("W-1",)),
                task("W-3", "in_progress", conflicts_with=("W-4",)),
                task("W-4"),
            ]
        )
        assert graph.start_violation("W-2") == StartViolation("conflict_in_progress", ("W-1",))
        assert graph.start_violation("W-4") == StartViolation("conflict_in_progress", ("W-3",))

    def test_a_conflict_is_checked_before_exclusivity(self) -> None:
        graph = Graph(
            [
                task("W-1", "in_progress", epic="e"),
                task("W-2", epic="e", parallel=False, conflicts_with=("W-1",)),
            ]
        )
        assert graph.start_violation("W-2") == StartViolation("conflict_in_progress", ("W-1",))

    def test_an_exclusive_task_waits_for_its_epic_to_be_idle(self) -> None:
        graph = Graph(
            [
                task("W-1", "in_progress", epic="e"),
                task("W-2", "in_progress", epic="other"),
                task("W-3", epic="e", parallel=False),
            ]
        )
        assert graph.start_violation("W-3") == StartViolation("exclusive_task_running", ("W-1",))

    def test_a_running_exclusive_task_holds_back_its_whole_epic(self) -> None:
        graph = Graph(
            [
                task("W-1", "in_progress", epic="e", parallel=False),
                task("W-2", epic="e"),
                task("W-3", epic="f"),
            ]
        )
        assert graph.start_violation("W-2") == StartViolation("exclusive_task_running", ("W-1",))
        assert graph.start_violation("W-3") is None

    def test_tasks_without_an_epic_have_no_exclusivity_group(self) -> None:
        graph = Graph([task("W-1", "in_progress", parallel=False), task("W-2", parallel=False)])
        assert graph.start_violation("W-2") is None

    def test_a_task_does_not_block_itself(self) -> None:
        graph = Graph(
            [task("W-1", "in_progress", epic="e", parallel=False, conflicts_with=("W-1",))]
        )
        assert graph.start_violation("W-1") is None


class TestReadyQueue:
    def test_only_the_root_of_a_fresh_diamond_is_ready(self) -> None:
        assert diamond().ready_keys() == ["W-1"]

    def test_both_branches_are_ready_once_the_root_is_done_longest_first(self) -> None:
        assert diamond("done").ready_keys() == ["W-2", "W-3"]

    @pytest.mark.parametrize(
        ("status", "claimed"),
        [("blocked", False), ("in_progress", False), ("done", False), ("open", True)],
    )
    def test_only_open_unclaimed_tasks_are_ready(self, status: str, claimed: bool) -> None:
        assert not Graph([task("W-1", status, claimed=claimed)]).is_ready("W-1")

    def test_claim_order_is_priority_then_downstream_hours_then_number(self) -> None:
        graph = Graph(
            [
                task("W-1", priority=2, hours=1),
                task("W-2", priority=1, hours=1),
                task("W-3", priority=2, hours=1),
                task("W-4", priority=2, hours=4, depends_on=("W-3",)),
                task("W-5", priority=2, hours=1),
            ]
        )
        assert graph.ready_keys() == ["W-2", "W-3", "W-1", "W-5"]
        assert graph.claim_order(["W-5", "W-4", "W-1"]) == ["W-4", "W-1", "W-5"]


class TestDownstreamHours:
    def test_a_diamond_counts_the_longer_branch(self) -> None:
        assert diamond().downstream_hours() == {"W-1": 7.0, "W-2": 6.0, "W-3": 3.0, "W-4": 1.0}

    def test_a_resolved_task_ends_the_chain(self) -> None:
        graph = Graph(
            [
                task("W-1", hours=1),
                task("W-2", "done", hours=9, depends_on=("W-1",)),
                task("W-3", hours=2, depends_on=("W-2",)),
            ]
        )
        assert graph.downstream_hours() == {"W-1": 1.0, "W-3": 2.0}


def ready_oracle(nodes: list[Node]) -> set[str]:
    by_key = {n.key: n for n in nodes}
    running = [n for n in nodes if n.status == "in_progress"]
    ready = set()
    for n in nodes:
        deps_ok = all(by_key[d].status in RESOLVED for d in n.depends_on if d in by_key)
        clash = any(conflict(n, r) or exclusive_clash(n, r) for r in running)
        if n.status == "open" and not n.claimed and deps_ok and not clash:
            ready.add(n.key)
    return ready


def downstream_oracle(nodes: list[Node]) -> dict[str, float]:
    open_nodes = [n for n in nodes if n.status not in RESOLVED]

    def longest_from(n: Node) -> float:
        waiting = [m for m in open_nodes if n.key in m.depends_on]
        return n.hours + max((longest_from(m) for m in waiting), default=0.0)

    return {n.key: longest_from(n) for n in open_nodes}


class TestRuleProperties:
    @settings(max_examples=150, deadline=None)
    @given(graphs())
    def test_ready_set_matches_the_rules_read_literally(self, nodes: list[Node]) -> None:
        graph = Graph(nodes)
        assert set(graph.ready_keys()) == ready_oracle(nodes)
        assert {n.key for n in nodes if graph.is_ready(n.key)} == ready_oracle(nodes)

    @settings(max_examples=150, deadline=None)
    @given(graphs())
    def test_downstream_hours_match_the_longest_chain_of_waiting_tasks(
        self, nodes: list[Node]
    ) -> None:
        assert Graph(nodes).downstream_hours() == pytest.approx(downstream_oracle(nodes))

    @settings(max_examples=100, deadline=None)
    @given(graphs())
    def test_claim_order_sorts_by_the_documented_key(self, nodes: list[Node]) -> None:
        graph = Graph(nodes)
        down = graph.downstream_hours()
        by_key = {n.key: n for n in nodes}
        order = graph.claim_order(by_key)
        ranks = [
            (by_key[k].priority, -down.get(k, by_key[k].hours), by_key[k].number) for k in order
        ]
        assert ranks == sorted(ranks)

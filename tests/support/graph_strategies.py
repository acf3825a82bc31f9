"""Random task graphs for property tests, and the plain helpers the oracles share."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from epicflow.graph import RESOLVED, Node

STATUSES = ("open", "in_progress", "blocked", "done", "cancelled")


def key(i: int) -> str:
    return f"T-{i}"


@st.composite
def graphs(draw: st.DrawFn, max_nodes: int = 9, statuses: Sequence[str] = STATUSES) -> list[Node]:
    """Acyclic by construction: a task only depends on tasks with a lower number."""
    n = draw(st.integers(min_value=1, max_value=max_nodes))
    nodes: list[Node] = []
    for i in range(1, n + 1):
        lower = [key(j) for j in range(1, i)]
        others = [key(j) for j in range(1, n + 1) if j != i]
        deps = draw(st.lists(st.sampled_from(lower), unique=True, max_size=3)) if lower else []
        if draw(st.booleans()) and draw(st.booleans()):
            deps.append("GONE-1")  # a dependency on a task outside the graph is ignored
        conflicts = (
            draw(st.lists(st.sampled_from(others), unique=True, max_size=2)) if others else []
        )
        nodes.append(
            Node(
                key=key(i),
                number=i,
                status=draw(st.sampled_from(statuses)),
                priority=draw(st.integers(min_value=0, max_value=4)),
                epic=draw(st.sampled_from([None, "a", "b"])),
                parallel=draw(st.booleans()),
                hours=float(
                    draw(st.sampled_from([0, 0.1, 0.5, 1, 2, 3, 5, 8]))
                ),  # 0.1: float noise
                depends_on=tuple(deps),
                conflicts_with=tuple(conflicts),
                claimed=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    return nodes


def conflict(a: Node, b: Node) -> bool:
    return a.key != b.key and (b.key in a.conflicts_with or a.key in b.conflicts_with)


def exclusive_clash(a: Node, b: Node) -> bool:
    """True when a non-parallel task and another task of the same epic may not overlap."""
    same_epic = a.epic is not None and a.epic == b.epic and a.key != b.key
    return same_epic and not (a.parallel and b.parallel)


def unresolved(nodes: Sequence[Node]) -> list[Node]:
    return [n for n in nodes if n.status not in RESOLVED]

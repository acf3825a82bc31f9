"""Cycle detection over `depends_on` maps.

Both searches are iterative: a chain of 100,000 tasks would overflow Python's recursion limit.
A key that appears only as a dependency (absent from the mapping) is treated as having none.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping

_EMPTY: tuple[str, ...] = ()


class CycleError(ValueError):
    """Raised where an algorithm needs an acyclic graph and was given a cyclic one."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("dependency cycle: " + " -> ".join(cycle))
        self.cycle = cycle


def find_cycle_with(
    deps: Mapping[str, Iterable[str]], task: str, new_deps: Iterable[str]
) -> list[str] | None:
    """The cycle that giving `task` the dependencies `new_deps` would close, else None.

    Any new cycle must pass through `task`, so it is enough to look for a way back to `task`
    from its new dependencies; `task`'s old dependencies are never walked because the search
    stops on reaching it. Breadth-first, so the reported cycle is a shortest one.
    """
    parent: dict[str, str | None] = {}
    queue: deque[str] = deque()
    for dep in new_deps:
        if dep == task:
            return [task, task]
        if dep not in parent:
            parent[dep] = None
            queue.append(dep)
    while queue:
        here = queue.popleft()
        for nxt in deps.get(here, _EMPTY):
            if nxt == task:
                return [task, *_trail(parent, here), task]
            if nxt not in parent:
                parent[nxt] = here
                queue.append(nxt)
    return None


def _trail(parent: Mapping[str, str | None], last: str) -> list[str]:
    path: list[str] = []
    step: str | None = last
    while step is not None:
        path.append(step)
        step = parent[step]
    path.reverse()
    return path


def find_any_cycle(deps: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A cycle of the whole graph (depends_on direction, first key repeated), else None."""
    done: set[str] = set()
    for root in deps:
        if root not in done:
            cycle = _cycle_from(deps, root, done)
            if cycle is not None:
                return cycle
    return None


def _cycle_from(deps: Mapping[str, Iterable[str]], root: str, done: set[str]) -> list[str] | None:
    # `on_path` maps each key on the current DFS path to its depth, so meeting one of them
    # again yields the cycle as the slice of the path from that depth down.
    path: list[str] = [root]
    on_path: dict[str, int] = {root: 0}
    iters: list[Iterator[str]] = [iter(deps.get(root, _EMPTY))]
    while iters:
        nxt = next(iters[-1], None)
        if nxt is None:
            finished = path.pop()
            del on_path[finished]
            done.add(finished)
            iters.pop()
            continue
        if nxt in on_path:
            return [*path[on_path[nxt] :], nxt]
        if nxt not in done:
            on_path[nxt] = len(path)
            path.append(nxt)
            iters.append(iter(deps.get(nxt, _EMPTY)))
    return None

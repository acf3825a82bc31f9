"""Exports of the dependency graph: JSON (SPEC §8), Mermaid and Graphviz DOT.

Titles are user input and end up inside diagram sources that browsers render, so every
character that could end a label or inject markup is escaped, and control characters
(newlines included) become spaces so one node stays on one line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from epicflow.graph.model import Node
from epicflow.graph.rules import Graph

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# Mermaid's entity codes; "#" goes first so the entities added after it stay intact.
_MERMAID = (
    ("#", "#35;"),
    ('"', "#quot;"),
    ("<", "#lt;"),
    (">", "#gt;"),
    ("&", "#amp;"),
    ("`", "#96;"),
)
_STATUS_STYLE = {
    "open": "#ffffff",
    "in_progress": "#fff3bf",
    "blocked": "#ffe3e3",
    "done": "#d3f9d8",
    "cancelled": "#e9ecef",
}


def _ordered(nodes: Iterable[Node]) -> tuple[Graph, list[Node]]:
    graph = Graph(nodes)
    return graph, sorted(graph.node_map.values(), key=lambda n: (n.number, n.key))


def _edges(graph: Graph, ordered: list[Node]) -> list[tuple[str, str]]:
    """(dependency, task) pairs: tasks in number order, each task's dependencies in number order."""
    return [(dep, n.key) for n in ordered for dep in graph.by_number(graph.deps(n.key))]


def _conflict_pairs(graph: Graph, ordered: list[Node]) -> list[tuple[str, str]]:
    rank = {n.key: i for i, n in enumerate(ordered)}
    pairs = {
        (a, b) if rank[a] < rank[b] else (b, a)
        for a in graph.conflict_map
        for b in graph.conflicts(a)
    }
    return sorted(pairs, key=lambda pair: (rank[pair[0]], rank[pair[1]]))


def to_json(nodes: Iterable[Node]) -> dict[str, Any]:
    graph, ordered = _ordered(nodes)
    return {
        "nodes": [
            {
                "key": n.key,
                "title": n.title,
                "status": n.status,
                "ready": graph.is_ready(n.key),
                "hours": float(n.hours),
            }
            for n in ordered
        ],
        "edges": [{"from": dep, "to": key} for dep, key in _edges(graph, ordered)],
        "conflicts": [[a, b] for a, b in _conflict_pairs(graph, ordered)],
    }


def _mermaid_text(text: str) -> str:
    text = _CONTROL.sub(" ", text)
    for raw, entity in _MERMAID:
        text = text.replace(raw, entity)
    return text


def to_mermaid(nodes: Iterable[Node]) -> str:
    """A `flowchart LR`; node ids are generated (t0, t1, ...) since keys contain '-'."""
    graph, ordered = _ordered(nodes)
    ids = {n.key: f"t{i}" for i, n in enumerate(ordered)}
    lines = ["flowchart LR"]
    for n in ordered:
        label = _mermaid_text(f"{n.key}: {n.title}" if n.title else n.key)
        style = n.status if n.status in _STATUS_STYLE else "open"
        lines.append(f'  {ids[n.key]}["{label}"]:::{style}')
    lines.extend(f"  {ids[dep]} --> {ids[key]}" for dep, key in _edges(graph, ordered))
    lines.extend(f"  {ids[a]} -. conflicts .- {ids[b]}" for a, b in _conflict_pairs(graph, ordered))
    lines.extend(f"  classDef {status} fill:{fill}" for status, fill in _STATUS_STYLE.items())
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return _CONTROL.sub(" ", text).replace("\\", "\\\\").replace('"', '\\"')


def to_dot(nodes: Iterable[Node]) -> str:
    graph, ordered = _ordered(nodes)
    lines = [
        "digraph epicflow {",
        "  rankdir=LR;",
        '  node [shape=box, style="rounded,filled"];',
    ]
    for n in ordered:
        label = _dot_text(f"{n.key}: {n.title}" if n.title else n.key)
        fill = _STATUS_STYLE.get(n.status, "#ffffff")
        lines.append(f'  "{_dot_text(n.key)}" [label="{label}", fillcolor="{fill}"];')
    lines.extend(
        f'  "{_dot_text(dep)}" -> "{_dot_text(key)}";' for dep, key in _edges(graph, ordered)
    )
    lines.extend(
        f'  "{_dot_text(a)}" -> "{_dot_text(b)}" '
        '[dir=none, style=dashed, color=red, constraint=false, label="conflicts"];'
        for a, b in _conflict_pairs(graph, ordered)
    )
    lines.append("}")
    return "\n".join(lines) + "\n"

"""Graph exports: the JSON shape of SPEC §8, Mermaid and Graphviz DOT with safe escaping."""

from __future__ import annotations

import re

from epicflow.graph import Node, to_dot, to_json, to_mermaid


def task(key: str, status: str = "open", **kw: object) -> Node:
    return Node(key=key, number=int(key.split("-")[1]), status=status, **kw)  # type: ignore[arg-type]


NODES = [
    task("W-10", title="Ship it", depends_on=("W-2", "W-3"), hours=1),
    task("W-2", "done", title="Write the schema", hours=2.5),
    task("W-3", title="Add the API", depends_on=("W-2", "X-1"), conflicts_with=("W-4",), hours=4),
    task("W-4", title="Fix the client", conflicts_with=("W-3",)),
]
NASTY = 'Say "hi" <script>alert(1)</script> & #35; `code` \\ back\nslash\tend'


class TestJson:
    def test_nodes_come_in_number_order_with_readiness_and_hours(self) -> None:
        graph = to_json(NODES)
        assert graph["nodes"] == [
            {
                "key": "W-2",
                "title": "Write the schema",
                "status": "done",
                "ready": False,
                "hours": 2.5,
            },
            {"key": "W-3", "title": "Add the API", "status": "open", "ready": True, "hours": 4.0},
            {
                "key": "W-4",
                "title": "Fix the client",
                "status": "open",
                "ready": True,
                "hours": 0.0,
            },
            {"key": "W-10", "title": "Ship it", "status": "open", "ready": False, "hours": 1.0},
        ]

    def test_edges_run_from_the_dependency_to_the_waiting_task(self) -> None:
        assert to_json(NODES)["edges"] == [
            {"from": "W-2", "to": "W-3"},
            {"from": "W-2", "to": "W-10"},
            {"from": "W-3", "to": "W-10"},
        ]

    def test_a_conflict_listed_on_both_sides_appears_once(self) -> None:
        assert to_json(NODES)["conflicts"] == [["W-3", "W-4"]]

    def test_conflict_pairs_are_sorted_by_number(self) -> None:
        nodes = [
            task("W-9", conflicts_with=("W-1",)),
            task("W-1"),
            task("W-10", conflicts_with=("W-9",)),
        ]
        assert to_json(nodes)["conflicts"] == [["W-1", "W-9"], ["W-9", "W-10"]]


class TestMermaid:
    def test_a_flowchart_with_one_line_per_edge_and_dashed_conflicts(self) -> None:
        text = to_mermaid(NODES)
        assert text.startswith("flowchart LR\n")
        ids = {
            key: ident for ident, key in re.findall(r'^\s+(\w+)\["([\w-]+):', text, re.MULTILINE)
        }
        assert f"{ids['W-2']} --> {ids['W-3']}" in text
        assert f"{ids['W-3']} --> {ids['W-10']}" in text
        assert f"{ids['W-3']} -. conflicts .- {ids['W-4']}" in text
        assert text.count("-->") == 3

    def test_titles_cannot_break_out_of_their_label(self) -> None:
        text = to_mermaid([task("W-1", title=NASTY)])
        label = re.search(r'\["(.*)"\]', text)
        assert label is not None
        assert not set(label.group(1)) & set('"<>`\n\t')
        assert "#quot;hi#quot;" in label.group(1)
        assert "#lt;script#gt;" in label.group(1)
        assert "#35;35;" in label.group(1)  # a literal entity stays literal
        assert len(text.splitlines()) == len(to_mermaid([task("W-1")]).splitlines())


class TestDot:
    def test_a_digraph_with_edges_and_undirected_conflicts(self) -> None:
        text = to_dot(NODES)
        assert text.startswith("digraph")
        assert '"W-2" -> "W-3";' in text
        assert re.search(r'"W-3" -> "W-4" \[[^]]*dir=none', text)
        assert text.rstrip().endswith("}")

    def test_titles_and_keys_are_escaped_inside_quotes(self) -> None:
        text = to_dot([task("W-1", title=NASTY)])
        label = re.search(r'label="((?:[^"\\]|\\.)*)"', text)
        assert label is not None
        assert '\\"hi\\"' in label.group(1)
        assert "\\\\ back" in label.group(1)
        assert "\n" not in label.group(1)
        assert len(text.splitlines()) == len(to_dot([task("W-1")]).splitlines())

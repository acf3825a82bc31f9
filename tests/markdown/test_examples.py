"""The sample epic under examples/ is what export writes, and imports back unchanged."""

from __future__ import annotations

from pathlib import Path

from epicflow.markdown import collect_tree, read_folder, render_tree

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_sample_epic_imports_and_exports_byte_for_byte() -> None:
    files = read_folder(EXAMPLES)
    tree = collect_tree(files, source="examples")
    [folder] = tree.epics
    assert folder.slug == "payment-webhooks"
    assert folder.epic is not None
    assert folder.epic.title == "Payment webhooks"
    assert [task.ref for task in folder.tasks] == [f"00{i}" for i in range(1, 9)]
    statuses = {task.ref: task.status for task in folder.tasks}
    assert (statuses["001"], statuses["002"], statuses["007"]) == ("done", "in_progress", "blocked")
    assert folder.tasks[3].depends_on == ("002", "003")
    assert folder.tasks[3].conflicts_with == ("005",)
    assert folder.tasks[2].parallel is False
    exported = render_tree([folder.epic], {folder.slug: folder.tasks})
    assert {path: text.encode() for path, text in exported.items()} == files

"""Ready queue, plan, graph and lint endpoints over a small hand-made project."""

from __future__ import annotations

from typing import Any

from tests.support.board import Board
from tests.support.transfer import epic_file, imported, task_file, zip_of


async def get(board: Board, path: str, **params: Any) -> dict[str, Any]:
    response = await board.client.get(
        f"/api/v1/projects/{board.key}/{path}", params=params, headers=board.owner.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def diamond(board: Board) -> list[str]:
    """A(2h) → B(8h), A → C(4h), B and C → D(1h)."""
    a = await board.task("Design the schema", estimate={"hours": 2})
    b = await board.task("Build the API", estimate={"hours": 8}, depends_on=[a["key"]])
    c = await board.task("Write the docs", estimate={"hours": 4}, depends_on=[a["key"]])
    d = await board.task("Ship the release", estimate={"hours": 1}, depends_on=[b["key"], c["key"]])
    return [a["key"], b["key"], c["key"], d["key"]]


class TestReady:
    async def test_ready_in_claim_order_with_pages(self, board: Board) -> None:
        first = await board.task(estimate={"hours": 1})
        second = await board.task(estimate={"hours": 5})
        urgent = await board.task(priority=0)
        await board.task(depends_on=[first["key"]])
        page = await get(board, "ready", limit=2)
        items = page["items"]
        assert isinstance(items, list)
        assert [t["key"] for t in items] == [urgent["key"], second["key"]]
        rest = await get(board, "ready", cursor=page["next_cursor"])
        assert [t["key"] for t in rest["items"]] == [first["key"]]
        assert rest["next_cursor"] is None


class TestPlan:
    async def test_diamond_waves_and_critical_path(self, board: Board) -> None:
        a, b, c, d = await diamond(board)
        plan = await get(board, "plan")
        assert plan["critical_path"] == [a, b, d]
        assert plan["critical_hours"] == 11
        assert plan["total_hours"] == 15
        assert [w["tasks"] for w in plan["waves"]] == [[a], [b, c], [d]]
        assert plan["projected_hours"] == 2 + 8 + 1
        schedule = plan["schedule"]
        assert isinstance(schedule, dict)
        assert schedule[c] == {"earliest_start": 2, "latest_start": 6, "slack": 4}
        assert schedule[b]["slack"] == 0

    async def test_worker_cap_and_done_work(self, board: Board) -> None:
        a, b, _c, _d = await diamond(board)
        await board.patch(a, status="done")
        plan = await get(board, "plan", workers=1)
        assert all(len(w["tasks"]) <= 1 for w in plan["waves"])
        assert plan["remaining_hours"] == 13
        assert plan["total_hours"] == 15  # the done task's hours still count
        assert plan["waves"][0]["tasks"] == [b]
        assert a not in plan["schedule"]

    async def test_an_epic_plan_counts_only_its_own_done_work(self, board: Board) -> None:
        await board.epic("core")
        done = await board.task("Set up CI", epic="core", estimate={"hours": 3})
        await board.patch(done["key"], status="done")
        elsewhere = await board.task("Draft the docs", estimate={"hours": 5})
        await board.patch(elsewhere["key"], status="done")
        todo = await board.task("Add login", epic="core", estimate={"hours": 2})
        plan = await get(board, "plan", epic="core")
        assert plan["total_hours"] == 5
        assert plan["remaining_hours"] == 2
        assert [w["tasks"] for w in plan["waves"]] == [[todo["key"]]]

    async def test_bad_workers_is_422(self, board: Board) -> None:
        response = await board.client.get(
            "/api/v1/projects/WEB/plan", params={"workers": 0}, headers=board.owner.headers
        )
        assert response.status_code == 422


class TestGraph:
    async def test_formats(self, board: Board) -> None:
        a, b, _c, _d = await diamond(board)
        graph = await get(board, "graph")
        assert {"from": a, "to": b} in graph["edges"]
        assert len(graph["nodes"]) == 4
        for fmt, start in (("mermaid", "flowchart"), ("dot", "digraph")):
            response = await board.client.get(
                "/api/v1/projects/WEB/graph", params={"format": fmt}, headers=board.owner.headers
            )
            assert response.text.startswith(start)


class TestLint:
    async def test_findings_and_scores(self, board: Board) -> None:
        await board.epic("core")
        poor = await board.task("Stuff", epic="core")
        good = await board.task(
            "Add the login form",
            epic="core",
            description="A form.",
            tdd_requirements="Test first.",
            acceptance_criteria=[{"text": "It logs in"}],
            definition_of_done=[{"text": "Merged"}],
            estimate={"size": "S"},
        )
        report = await get(board, "lint", epic="core")
        codes = {f["code"] for f in report["findings"] if f["task"] == poor["key"]}
        assert {"missing_description", "missing_estimate", "title_not_action"} <= codes
        scores = report["scores"]
        assert isinstance(scores, dict)
        assert scores["tasks"][good["key"]] == 100
        assert scores["tasks"][poor["key"]] < 100
        assert "core" in scores["epics"]


class TestLintOfImportedTasks:
    async def test_a_ccpm_file_without_tests_is_information_not_a_warning(
        self, board: Board
    ) -> None:
        files = {
            "epics/core/epic.md": epic_file("core"),
            "epics/core/001.md": task_file("Add the form"),
            "epics/core/002.md": task_file("Add the check") + "\n## Testing\n\nA test first.\n",
        }
        await imported(board.client, board.owner, board.key, zip_of(files))
        typed = await board.task("Add the button", epic="core")
        report = await get(board, "lint", epic="core")
        tdd = {
            f["task"]: f["severity"]
            for f in report["findings"]
            if f["code"] == "missing_tdd_requirements"
        }
        assert tdd == {"WEB-1": "info", typed["key"]: "warning"}

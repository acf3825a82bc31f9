"""The MCP tools, through the SDK's client, over stdio and over /mcp, against a served API."""

from __future__ import annotations

import json
from typing import Any

import httpx
from mcp.types import CallToolResult, TextContent

from tests.mcp.conftest import Connect
from tests.support.served_api import ServedProject

TOOLS = {
    "list_projects",
    "ready_tasks",
    "list_tasks",
    "show_task",
    "create_tasks",
    "update_task",
    "claim_task",
    "heartbeat",
    "complete_task",
    "release_task",
    "comment",
    "project_plan",
}
READ_ONLY = {"list_projects", "ready_tasks", "list_tasks", "show_task", "project_plan"}


def ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    first = result.content[0]
    assert isinstance(first, TextContent)
    return first.text


async def test_the_tools_are_the_twelve_with_schemas_and_read_only_hints(
    connect: Connect,
) -> None:
    async with connect() as session:
        tools = (await session.list_tools()).tools
    assert {tool.name for tool in tools} == TOOLS
    size = len(
        json.dumps(
            [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
        )
    )
    assert size < 24_000, size
    for tool in tools:
        assert tool.output_schema is not None, tool.name
        hint = tool.annotations.read_only_hint if tool.annotations else None
        assert hint is (tool.name in READ_ONLY), tool.name


async def test_an_agent_works_a_task_from_ready_to_complete(
    connect: Connect, project: ServedProject
) -> None:
    first = project.task("Write the parser")
    later = project.task("Use the parser", depends_on=[first["key"]])
    async with connect() as session:
        ready = ok(await session.call_tool("ready_tasks", {"project": project.key}))
        assert [task["key"] for task in ready["tasks"]] == [first["key"]]
        waiting = ok(await session.call_tool("show_task", {"key": later["key"]}))
        assert waiting["ready"] is False
        assert waiting["waiting_on"] == [{"key": first["key"], "reason": "dependency"}]

        claimed = ok(await session.call_tool("claim_task", {"project": project.key}))
        token = claimed["claim_token"]
        assert claimed["task"]["key"] == first["key"]
        assert claimed["task"]["held"] == "claim"
        assert 0 < claimed["task"]["lease_seconds_left"] <= 900
        shown = ok(await session.call_tool("show_task", {"key": first["key"]}))
        assert shown["claim_token"] == token

        beat = ok(await session.call_tool("heartbeat", {"key": first["key"], "lease_seconds": 60}))
        assert 0 < beat["lease_seconds_left"] <= 60
        note = ok(await session.call_tool("comment", {"key": first["key"], "body": "half way"}))
        assert note["body"] == "half way"
        done = ok(
            await session.call_tool(
                "complete_task", {"key": first["key"], "summary": "parser written"}
            )
        )
        assert done["status"] == "done"
        assert done["claim_token"] is None
        now_ready = ok(await session.call_tool("show_task", {"key": later["key"]}))
        assert now_ready["ready"] is True
    comments = project.get(f"/tasks/{first['key']}/comments")["items"]
    assert [(c["kind"], c["body"]) for c in comments] == [
        ("note", "half way"),
        ("completion", "parser written"),
    ]


async def test_create_tasks_links_a_batch_by_index_and_by_key(
    connect: Connect, project: ServedProject
) -> None:
    existing = project.task("Schema")
    batch = [
        {"title": "Model", "depends_on": [existing["key"]]},
        {"title": "Routes", "depends_on": [0]},
        {"title": "Docs", "depends_on": [0, 1], "labels": ["docs"]},
    ]
    async with connect() as session:
        made = ok(
            await session.call_tool("create_tasks", {"project": project.key, "tasks": batch})
        )["tasks"]
        keys = [task["key"] for task in made]
        assert made[0]["depends_on"] == [existing["key"]]
        assert made[1]["depends_on"] == [keys[0]]
        assert sorted(made[2]["depends_on"]) == sorted(keys[:2])
        refused = await session.call_tool(
            "create_tasks", {"project": project.key, "tasks": [{"title": "x", "depends_on": [0]}]}
        )
    assert error_text(refused).startswith("invalid_dependency: ")
    assert len(project.get(f"/projects/{project.key}/tasks")["items"]) == 4


async def test_a_claim_taken_over_is_claim_lost_and_a_blocked_claim_says_why(
    connect: Connect, project: ServedProject
) -> None:
    first = project.task("First")
    second = project.task("Second", depends_on=[first["key"]])
    async with connect() as session:
        claimed = ok(await session.call_tool("claim_task", {"key": first["key"]}))
        blocked = await session.call_tool("claim_task", {"key": second["key"]})
        assert error_text(blocked).startswith("blocked_by_dependencies: ")
        with httpx.Client(base_url=project.url + "/api/v1", timeout=30) as http:
            answer = http.patch(
                f"/tasks/{first['key']}?force=true",
                json={"status": "open"},
                headers={"Authorization": f"Bearer {project.token}"},
            )
        assert answer.status_code == 200, answer.text
        lost = await session.call_tool(
            "heartbeat", {"key": first["key"], "claim_token": claimed["claim_token"]}
        )
    assert error_text(lost).startswith("claim_lost: ")


async def test_update_release_and_plan(connect: Connect, project: ServedProject) -> None:
    task = project.task("Tidy up")
    async with connect() as session:
        changed = ok(await session.call_tool("update_task", {"key": task["key"], "priority": 1}))
        assert changed["priority"] == 1
        ok(await session.call_tool("claim_task", {"key": task["key"]}))
        released = ok(
            await session.call_tool("release_task", {"key": task["key"], "reason": "stuck"})
        )
        assert released["status"] == "open"
        assert released["ready"] is True
        plan = ok(await session.call_tool("project_plan", {"project": project.key}))
        listed = ok(await session.call_tool("list_tasks", {"project": project.key}))
        projects = ok(await session.call_tool("list_projects", {}))
    assert plan
    assert [t["key"] for t in listed["tasks"]] == [task["key"]]
    assert project.key in [p["key"] for p in projects["projects"]]

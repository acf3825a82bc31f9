"""The twelve tools (SPEC §10.7), each one or a few API calls through `ApiClient`.

A transport supplies `connect`: for a tool call's context, the API client to use (not yet
entered), where the caller's claim tokens are kept, and the caller's default worker name.
An `ApiError` becomes a tool error whose text starts with the API's code (`claim_lost: ...`)."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar, cast

from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult, TextContent, ToolAnnotations

from epicflow.client import ApiClient, ApiError
from epicflow.mcp import shapes
from epicflow.mcp.shapes import Claimed, Comment, NewTask, Projects, Task, TaskPage, Tasks

READ = ToolAnnotations(read_only_hint=True)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=False)
INSTRUCTIONS = (
    "epicflow: projects of small, dependent tasks. Loop: claim_task (or ready_tasks then "
    "claim_task with a key), work, heartbeat before the lease runs out, comment to hand over "
    "context, complete_task with a summary, or release_task with a reason."
)


class ClaimTokens(Protocol):
    """Where a caller's claim tokens are kept, so `show_task` can give one back."""

    def claim_token(self, task: str) -> str | None: ...
    def keep_claim(self, task: str, token: str) -> None: ...
    def drop_claim(self, task: str) -> None: ...


@dataclass
class Caller:
    api: ApiClient
    claims: ClaimTokens
    worker: str


Connect = Callable[[Context], Caller]
Tool = TypeVar("Tool", bound=Callable[..., Awaitable[Any]])


class Refused(Exception):
    """An expected failure, told to the agent as a tool error: `code: detail`."""


def answers(tool: Tool) -> Tool:
    """The tool, with a `Refused` turned into an error result whose text is the refusal's own
    (the SDK would put its own words first)."""

    @functools.wraps(tool)
    async def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return await tool(*args, **kwargs)
        except Refused as refused:
            return CallToolResult(
                content=[TextContent(type="text", text=str(refused))], is_error=True
            )

    return cast(Tool, run)


def build_server(connect: Connect) -> MCPServer:  # noqa: C901, PLR0915 (one closure per tool)
    server: MCPServer = MCPServer("epicflow", instructions=INSTRUCTIONS)

    @asynccontextmanager
    async def calling(ctx: Context) -> AsyncIterator[tuple[ApiClient, Caller]]:
        caller = connect(ctx)
        try:
            async with caller.api as api:
                yield api, caller
        except ApiError as error:
            raise Refused(f"{error.code}: {error.detail}") from None

    def token_for(caller: Caller, key: str, given: str | None) -> str:
        token = given or caller.claims.claim_token(key)
        if not token:
            raise Refused(f"no_claim_token: no claim token is kept for {key}; pass claim_token")
        return token

    @server.tool(annotations=READ)
    @answers
    async def list_projects(ctx: Context) -> Projects:
        """The projects you can see."""
        async with calling(ctx) as (api, _):
            page = await api.projects()
        return Projects.model_validate({"projects": page["items"]})

    @server.tool(annotations=READ)
    @answers
    async def ready_tasks(
        project: str, ctx: Context, epic: str | None = None, limit: int = 20
    ) -> TaskPage:
        """Open tasks of a project that can start now, by priority."""
        async with calling(ctx) as (api, _):
            page = await api.tasks(project, ready=True, epic=epic, sort="priority", limit=limit)
        return _page(page)

    @server.tool(annotations=READ)
    @answers
    async def list_tasks(
        project: str,
        ctx: Context,
        status: list[Literal["open", "in_progress", "blocked", "done", "cancelled"]] | None = None,
        epic: str | None = None,
        label: list[str] | None = None,
        q: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> TaskPage:
        """A project's tasks, filtered; page on with `cursor`."""
        async with calling(ctx) as (api, _):
            page = await api.tasks(
                project, status=status, epic=epic, label=label, q=q, limit=limit, cursor=cursor
            )
        return _page(page)

    @server.tool(annotations=READ)
    @answers
    async def show_task(key: str, ctx: Context) -> Task:
        """One task in full, with why it waits; its claim token if you hold it."""
        async with calling(ctx) as (api, caller):
            view = await api.task(key)
        return shapes.task(view, caller.claims.claim_token(key))

    @server.tool(annotations=WRITE)
    @answers
    async def create_tasks(project: str, tasks: list[NewTask], ctx: Context) -> Tasks:
        """Create tasks in order; `depends_on` names task keys or indexes of earlier tasks here."""
        _check_indexes(tasks)
        made: list[dict[str, Any]] = []
        async with calling(ctx) as (api, _):
            for new in tasks:
                depends = [made[d]["key"] if isinstance(d, int) else d for d in new.depends_on]
                body = new.model_dump(exclude_none=True) | {"depends_on": depends}
                made.append(await api.create_task(project, body))
        return Tasks(tasks=[shapes.task(view) for view in made])

    @server.tool(annotations=WRITE)
    @answers
    async def update_task(
        key: str,
        ctx: Context,
        title: str | None = None,
        status: Literal["open", "in_progress", "blocked", "done", "cancelled"] | None = None,
        priority: int | None = None,
        labels: list[str] | None = None,
        description: str | None = None,
        depends_on: list[str] | None = None,
    ) -> Task:
        """Change the fields given; lists replace whole lists."""
        fields = {
            "title": title,
            "status": status,
            "priority": priority,
            "labels": labels,
            "description": description,
            "depends_on": depends_on,
        }
        changes = {name: value for name, value in fields.items() if value is not None}
        async with calling(ctx) as (api, caller):
            view = await api.update_task(key, changes)
        return shapes.task(view, caller.claims.claim_token(key))

    @server.tool(annotations=WRITE)
    @answers
    async def claim_task(
        ctx: Context,
        project: str | None = None,
        key: str | None = None,
        worker: str | None = None,
        lease_seconds: int | None = None,
        wait_seconds: int = 0,
        epic: str | None = None,
    ) -> Claimed:
        """Claim the next ready task of `project` (waiting up to `wait_seconds`), or task `key`."""
        if (project is None) == (key is None):
            raise Refused("invalid_arguments: give either project or key")
        async with calling(ctx) as (api, caller):
            name = worker or caller.worker
            if key is not None:
                body = await api.claim_task(key, name, lease_seconds)
            else:
                assert project is not None
                result = await api.claim_next(
                    project, name, lease_seconds=lease_seconds, wait_seconds=wait_seconds, epic=epic
                )
                if result.body is None:
                    return Claimed(task=None, claim_token=None, queue=result.queue)
                body = result.body
        token = str(body["claim_token"])
        caller.claims.keep_claim(body["task"]["key"], token)
        return Claimed(task=shapes.task(body["task"], token), claim_token=token, queue=None)

    @server.tool(annotations=WRITE)
    @answers
    async def heartbeat(
        key: str, ctx: Context, claim_token: str | None = None, lease_seconds: int | None = None
    ) -> Task:
        """Extend your claim's lease."""
        async with calling(ctx) as (api, caller):
            token = token_for(caller, key, claim_token)
            body = await api.heartbeat(key, token, lease_seconds)
        return shapes.task(body["task"], token)

    @server.tool(annotations=WRITE)
    @answers
    async def complete_task(
        key: str,
        ctx: Context,
        summary: str | None = None,
        links: list[str] | None = None,
        claim_token: str | None = None,
    ) -> Task:
        """Finish your claimed task; `summary` becomes a completion comment, `links` are kept."""
        async with calling(ctx) as (api, caller):
            token = token_for(caller, key, claim_token)
            view = await api.complete(key, token, summary, links)
        caller.claims.drop_claim(key)
        return shapes.task(view)

    @server.tool(annotations=WRITE)
    @answers
    async def release_task(
        key: str, ctx: Context, reason: str | None = None, claim_token: str | None = None
    ) -> Task:
        """Give your claimed task back; `reason` is kept as a handoff comment."""
        async with calling(ctx) as (api, caller):
            token = token_for(caller, key, claim_token)
            view = await api.release(key, token, reason)
        caller.claims.drop_claim(key)
        return shapes.task(view)

    @server.tool(annotations=WRITE)
    @answers
    async def comment(key: str, body: str, ctx: Context) -> Comment:
        """Add a markdown note to a task (signed with your claim when you hold one)."""
        async with calling(ctx) as (api, caller):
            made = await api.comment(key, body, caller.claims.claim_token(key))
        return Comment.model_validate({**made, "id": str(made["id"])})

    @server.tool(annotations=READ)
    @answers
    async def project_plan(
        project: str, ctx: Context, workers: int | None = None
    ) -> dict[str, Any]:
        """The project's schedule: waves of tasks, critical path, estimated finish."""
        async with calling(ctx) as (api, _):
            plan: dict[str, Any] = await api.plan(project, workers)
        return plan

    for tool in server._tool_manager.list_tools():
        _drop_titles(tool.parameters)
        _drop_titles(tool.output_schema)
    return server


def _drop_titles(schema: object) -> None:
    """Remove the `title` keywords pydantic writes into every schema (the names say as much),
    keeping the tool list small; a property called `title` stays."""
    if isinstance(schema, dict):
        if isinstance(schema.get("title"), str):
            del schema["title"]
        for value in schema.values():
            _drop_titles(value)
    elif isinstance(schema, list):
        for value in schema:
            _drop_titles(value)


def _page(page: dict[str, Any]) -> TaskPage:
    tasks = [shapes.brief(view) for view in page["items"]]
    return TaskPage(tasks=tasks, next_cursor=page.get("next_cursor"))


def _check_indexes(tasks: list[NewTask]) -> None:
    for position, new in enumerate(tasks):
        for index in new.depends_on:
            if isinstance(index, int) and not 0 <= index < position:
                raise Refused(
                    f"invalid_dependency: tasks[{position}].depends_on: {index} "
                    "is not the index of an earlier task in this batch"
                )

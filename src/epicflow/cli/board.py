"""Worker commands that read and write tasks: projects, ls, show, add, comment, plan, graph."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from epicflow.cli.remote import JsonOption, ProjectOption, call, out, print_json
from epicflow.client import ApiClient, ClientConfig

ListOption = Annotated[list[str] | None, typer.Option(help="Repeat for several.")]


def _task_line(task: dict[str, Any]) -> str:
    mark = " ready" if task.get("ready") else ""
    held = f" claimed by {task['claimed_by']}" if task.get("claimed_by") else ""
    return f"{task['key']}  [{task['status']}{mark}]  P{task['priority']}  {task['title']}{held}"


def text_or_stdin(text: str) -> str:
    """The argument, or standard input when it is `-`."""
    return sys.stdin.read() if text == "-" else text


def projects(as_json: JsonOption = False) -> None:
    """The projects you can see, with your role."""
    page = call(lambda client, _c: client.projects(), as_json)
    if as_json:
        print_json(page)
        return
    for item in page["items"]:
        out.print(f"{item['key']}  {item['name']}  ({item['role']})")


def ls(
    project: ProjectOption,
    ready: Annotated[bool, typer.Option("--ready", help="Only tasks ready to claim.")] = False,
    status: ListOption = None,
    epic: Annotated[str | None, typer.Option(help="The epic's slug.")] = None,
    label: ListOption = None,
    query: Annotated[str | None, typer.Option("-q", "--query", help="Search text.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=200, help="At most this many.")] = 50,
    cursor: Annotated[str | None, typer.Option(help="The next page's cursor.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List a project's tasks, filtered."""
    filters = {
        "ready": ready or None,
        "status": status or [],
        "epic": epic,
        "label": label or [],
        "q": query,
        "limit": limit,
        "cursor": cursor,
    }
    page = call(lambda client, _c: client.tasks(project, **filters), as_json)
    if as_json:
        print_json(page)
        return
    for task in page["items"]:
        out.print(_task_line(task))
    if page.get("next_cursor"):
        out.print(f"(more: --cursor {page['next_cursor']})")


def show_task(task: dict[str, Any]) -> None:
    out.print(_task_line(task))
    if task.get("epic"):
        out.print(f"epic: {task['epic']}")
    for name in ("depends_on", "blocked_by"):
        if task.get(name):
            out.print(f"{name}: {', '.join(task[name])}")
    for item in task.get("waiting_on") or []:
        out.print(f"waiting on {item['key']} ({item['reason']})")
    if task.get("lease_expires_at"):
        out.print(f"lease until {task['lease_expires_at']}")
    if task.get("description"):
        out.print("")
        out.print(task["description"])


def show(
    task: Annotated[str, typer.Argument(help="The task key, e.g. WEB-12.")],
    as_json: JsonOption = False,
) -> None:
    """One task, with what it waits on."""
    found = call(lambda client, _c: client.task(task), as_json)
    if as_json:
        print_json(found)
    else:
        show_task(found)


def add(
    project: ProjectOption,
    title: Annotated[str, typer.Option(help="What to do, verb first.")],
    epic: Annotated[str | None, typer.Option(help="The epic's slug.")] = None,
    depends_on: ListOption = None,
    size: Annotated[str | None, typer.Option(help="XS, S, M, L or XL.")] = None,
    hours: Annotated[float | None, typer.Option(min=0, help="Estimated hours.")] = None,
    label: ListOption = None,
    description: Annotated[str | None, typer.Option(help="Markdown; - reads stdin.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Create a task."""
    if size is not None and hours is not None:
        raise typer.BadParameter("give --size or --hours, not both")
    body: dict[str, Any] = {"title": title, "depends_on": depends_on or [], "labels": label or []}
    if epic:
        body["epic"] = epic
    if size is not None or hours is not None:
        body["estimate"] = {"size": size, "hours": hours}
    if description is not None:
        body["description"] = text_or_stdin(description)
    created = call(lambda client, _c: client.create_task(project, body), as_json)
    if as_json:
        print_json(created)
    else:
        out.print(f"Created {created['key']}: {created['title']}")


def comment(
    task: Annotated[str, typer.Argument(help="The task key.")],
    text: Annotated[str, typer.Argument(help="Markdown, or - to read standard input.")],
    as_json: JsonOption = False,
) -> None:
    """Comment on a task (with your claim's token, when you hold one)."""
    body = text_or_stdin(text)

    async def work(client: ApiClient, config: ClientConfig) -> Any:
        return await client.comment(task, body, config.claim_token(task))

    posted = call(work, as_json)
    if as_json:
        print_json(posted)
    else:
        out.print(f"Commented on {task}")


def plan(
    project: ProjectOption,
    workers: Annotated[int | None, typer.Option(min=1, max=1000, help="Workers.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Waves of work, the critical path and the projected hours."""
    found = call(lambda client, _c: client.plan(project, workers), as_json)
    if as_json:
        print_json(found)
        return
    for wave in found["waves"]:
        out.print(f"wave {wave['index']} ({wave['hours']} h): {', '.join(wave['tasks'])}")
    out.print(f"critical path ({found['critical_hours']} h): {' → '.join(found['critical_path'])}")
    out.print(f"projected: {found['projected_hours']} h; remaining: {found['remaining_hours']} h")


class GraphFormat(StrEnum):
    json = "json"
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"


def graph(
    project: ProjectOption,
    format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.mermaid,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Write to a file.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The dependency graph (Mermaid by default; --json for the graph's JSON)."""
    shown = GraphFormat.json if as_json else format
    found = call(lambda client, _c: client.graph(project, shown.value), as_json)
    text = found if isinstance(found, str) else json.dumps(found, indent=2, ensure_ascii=False)
    if out_path is None:
        typer.echo(text.rstrip("\n"))
        return
    out_path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    if not as_json:
        out.print(f"Wrote {out_path}")

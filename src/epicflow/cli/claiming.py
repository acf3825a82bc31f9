"""`epicflow claim`, `heartbeat`, `release` and `complete`. A claim's token is kept in the state
file beside the credentials, so the later commands need only the task key."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from epicflow.cli.board import text_or_stdin
from epicflow.cli.errors import EXIT_NOTHING_TO_CLAIM
from epicflow.cli.remote import (
    JsonOption,
    LeaseOption,
    WorkerOption,
    call,
    out,
    print_json,
    worker_name,
)
from epicflow.client import ApiClient, ApiError, ClaimResult, ClientConfig

TaskArgument = Annotated[str, typer.Argument(help="The task key, e.g. WEB-12.")]
TokenOption = Annotated[
    str | None, typer.Option("--token", help="The claim token (default: the one kept).")
]


def claim(
    task: Annotated[
        str | None, typer.Argument(help="Take this task (else the next ready).")
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Claim the next ready task here.")
    ] = None,
    worker: WorkerOption = None,
    lease: LeaseOption = None,
    wait: Annotated[
        int, typer.Option("--wait", min=0, max=60, help="Wait up to this many seconds for work.")
    ] = 0,
    epic: Annotated[str | None, typer.Option(help="Only tasks of this epic.")] = None,
    label: Annotated[list[str] | None, typer.Option(help="Only tasks with every label.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Claim the next ready task of a project (-p KEY), or one named task. Exit 3: nothing."""
    if (task is None) == (project is None):
        raise typer.BadParameter("name a TASK or a --project, one of them")
    name = worker_name(worker)

    async def work(client: ApiClient, config: ClientConfig) -> ClaimResult:
        if task is not None:
            result = ClaimResult(await client.claim_task(task, name, lease))
        else:
            assert project is not None
            result = await client.claim_next(
                project, name, lease_seconds=lease, wait_seconds=wait, epic=epic, labels=label
            )
        if result.body is not None:
            config.keep_claim(result.body["task"]["key"], result.body["claim_token"])
        return result

    result = call(work, as_json)
    if as_json:
        print_json(result.shown())
    elif result.body is None:
        out.print(f"Nothing to claim ({result.queue})")
    else:
        claimed = result.body["task"]
        out.print(f"Claimed {claimed['key']}: {claimed['title']}")
        out.print(f"lease until {result.body['lease_expires_at']}")
    if result.body is None:
        raise typer.Exit(EXIT_NOTHING_TO_CLAIM)


def _token(config: ClientConfig, task: str, given: str | None) -> str:
    token = given or config.claim_token(task)
    if token is None:
        raise ApiError(0, "no_claim_token", f"no claim token kept for {task}; pass --token")
    return token


def heartbeat(
    task: TaskArgument,
    lease: LeaseOption = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Extend the lease of a task you hold. Exit 4: the claim is lost."""

    async def work(client: ApiClient, config: ClientConfig) -> Any:
        return await client.heartbeat(task, _token(config, task, token), lease)

    held = call(work, as_json)
    if as_json:
        print_json(held)
    else:
        out.print(f"{task}: lease until {held['lease_expires_at']}")


def release(
    task: TaskArgument,
    reason: Annotated[str | None, typer.Option(help="Why, kept as a handoff comment.")] = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Give a claimed task back: it is open again."""

    async def work(client: ApiClient, config: ClientConfig) -> Any:
        done = await client.release(task, _token(config, task, token), reason)
        config.drop_claim(task)
        return done

    shown = call(work, as_json)
    if as_json:
        print_json(shown)
    else:
        out.print(f"Released {task}")


def complete(
    task: TaskArgument,
    summary: Annotated[
        str | None, typer.Option(help="What was done (markdown); - reads standard input.")
    ] = None,
    link: Annotated[list[str] | None, typer.Option(help="A URL that belongs to it.")] = None,
    token: TokenOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a claimed task done."""
    text = None if summary is None else text_or_stdin(summary)

    async def work(client: ApiClient, config: ClientConfig) -> Any:
        done = await client.complete(task, _token(config, task, token), text, link)
        config.drop_claim(task)
        return done

    shown = call(work, as_json)
    if as_json:
        print_json(shown)
    else:
        out.print(f"Completed {task}")

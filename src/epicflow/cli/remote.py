"""What every worker command shares: the client it talks through, its output, its errors.

With ``--json`` a command prints exactly the API's JSON on standard output (an error: the API's
problem document); without it, short readable lines, and an error as one line on standard error.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from epicflow.cli.errors import EXIT_CLAIM_LOST, EXIT_INVALID, err
from epicflow.client import ApiClient, ApiError, ClientConfig

T = TypeVar("T")
out = Console(highlight=False, markup=False, emoji=False, soft_wrap=True)  # names as written

JsonOption = Annotated[bool, typer.Option("--json", help="Print the API's JSON only.")]
ProjectOption = Annotated[str, typer.Option("--project", "-p", help="The project key, e.g. WEB.")]
WorkerOption = Annotated[
    str | None, typer.Option("--worker", help="The worker's name (default: this host's name).")
]
LeaseOption = Annotated[
    int | None,
    typer.Option(
        "--lease", min=1, max=86_400, help="Lease in seconds (the server's default: 900)."
    ),
]


def worker_name(given: str | None) -> str:
    return given or socket.gethostname() or "epicflow"


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def dropped_warning(client: ApiClient) -> None:
    """Say which fields this server did not accept (it is older than this client)."""
    if client.dropped:
        err.print(f"warning: the server does not accept {', '.join(client.dropped)}; not kept")


@contextmanager
def api_errors(as_json: bool) -> Iterator[None]:
    """An `ApiError` ends the command: exit 4 for `claim_lost`, else 1."""
    try:
        yield
    except ApiError as exc:
        if as_json:
            print_json(exc.body)
        else:
            err.print(f"error: {exc.code}: {exc.detail}")
        raise typer.Exit(EXIT_CLAIM_LOST if exc.code == "claim_lost" else EXIT_INVALID) from None


def call(
    work: Callable[[ApiClient, ClientConfig], Awaitable[T]], as_json: bool, url: str | None = None
) -> T:
    """Run `work` with a client of the configured server, turning API errors into exit codes."""
    config = ClientConfig.load(url)

    async def session() -> T:
        async with ApiClient(config.url, config.token()) as client:
            result = await work(client, config)
            if not as_json:
                dropped_warning(client)
            return result

    with api_errors(as_json):
        return asyncio.run(session())

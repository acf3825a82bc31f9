"""`epicflow login`, `logout` and `whoami`: the worker's credential for a server."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from epicflow.cli.remote import JsonOption, call, out, print_json, worker_name
from epicflow.client import ApiClient, ClientConfig

UrlOption = Annotated[
    str | None, typer.Option("--url", help="The server (default: EPICFLOW_URL, or localhost:8000).")
]


def login(
    url: UrlOption = None,
    token_stdin: Annotated[
        bool, typer.Option("--token-stdin", help="Read an API token (efp_…) from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Log in to a server and keep an API token for it (e-mail and password are asked)."""
    if token_stdin:
        token, email, password = sys.stdin.readline().strip(), None, ""
    else:
        token, email = None, typer.prompt("E-mail")
        password = typer.prompt("Password", hide_input=True)

    async def work(client: ApiClient, config: ClientConfig) -> tuple[Any, str]:
        secret = token
        if secret is None:
            access = await client.log_in(str(email), password)
            created = await client.create_api_token(f"cli {worker_name(None)}", access)
            secret = str(created["token"])
        async with ApiClient(config.url, secret, transport=client.transport) as checked:
            user = await checked.me()
        config.store_token(secret, user["email"])
        return user, config.url

    user, server = call(work, as_json, url)
    if as_json:
        print_json(user)
    else:
        out.print(f"Logged in to {server} as {user['email']}")


def logout(url: UrlOption = None) -> None:
    """Forget the token stored for the server."""
    config = ClientConfig.load(url)
    if config.forget_token():
        out.print(f"Logged out of {config.url}")
    else:
        out.print(f"No stored token for {config.url}")


def whoami(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """The user the credential belongs to."""

    async def work(client: ApiClient, _config: ClientConfig) -> Any:
        return await client.me()

    user = call(work, as_json, url)
    if as_json:
        print_json(user)
        return
    admin = " (superuser)" if user.get("is_superuser") else ""
    out.print(f"{user['email']}{admin} on {ClientConfig.load(url).url}")

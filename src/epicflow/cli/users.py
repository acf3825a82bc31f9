from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from epicflow.auth import service
from epicflow.cli.errors import err, readable_errors
from epicflow.platform.clock import utcnow
from epicflow.platform.schema import require_schema
from epicflow.platform.types import Email, Password
from epicflow.settings import get_settings
from epicflow.stores.choice import open_database

users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)


async def _create(email: str, password: str, full_name: str, superuser: bool) -> None:
    db = open_database(get_settings().database_url)
    try:
        async with db.sessionmaker.begin() as session:
            await service.create_user(
                session,
                email=email,
                password=password,
                full_name=full_name,
                now=utcnow(),
                is_superuser=superuser,
            )
    finally:
        await db.dispose()


def _valid(adapter: TypeAdapter[str], value: str, what: str) -> str:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        err.print(f"error: invalid {what}: {exc.errors()[0]['msg']}")
        raise typer.Exit(1) from None


@users_app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The new user's e-mail.")],
    superuser: Annotated[bool, typer.Option("--superuser", help="Grant every right.")] = False,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    full_name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user account (prompting for the password unless --password-stdin)."""
    with readable_errors():
        require_schema(get_settings().database_url)  # before asking for anything
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    address = _valid(TypeAdapter(Email), email, "e-mail")
    secret = _valid(TypeAdapter(Password), password, "password (8 characters or more)")
    with readable_errors():
        asyncio.run(_create(address, secret, full_name, superuser))
    typer.echo(f"created {address}{' (superuser)' if superuser else ''}")

from __future__ import annotations

from typing import Annotated

import typer
from alembic.util.exc import CommandError

from epicflow.cli.errors import err, readable_errors
from epicflow.platform import migrations
from epicflow.platform.schema import require_schema
from epicflow.settings import get_settings

db_app = typer.Typer(help="Apply, revert and inspect database migrations.", no_args_is_help=True)


def _run(action: str, *args: str) -> None:
    url = get_settings().database_url
    with readable_errors():
        if action != "upgrade":  # the one that may create the database
            require_schema(url, at_head=False)
        try:
            getattr(migrations, action)(url, *args)
        except CommandError as exc:
            err.print(f"error: {exc}")
            raise typer.Exit(1) from None


@db_app.command()
def upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    _run("upgrade", revision)


@db_app.command()
def downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")] = "-1",
) -> None:
    """Revert migrations down to REVISION (default: one step)."""
    _run("downgrade", revision)


@db_app.command()
def current() -> None:
    """Print the database's current revision."""
    _run("current")


@db_app.command()
def check() -> None:
    """Fail when the models and the migrations disagree."""
    _run("check")

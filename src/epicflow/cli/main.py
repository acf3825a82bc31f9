"""The `epicflow` command line: serve, migrate and manage users."""

from __future__ import annotations

import typer

from epicflow.cli.db import db_app
from epicflow.cli.serve import serve
from epicflow.cli.users import users_app

app = typer.Typer(
    name="epicflow",
    help="epicflow: epics of small, dependent tasks, run in parallel safely.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(serve)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")

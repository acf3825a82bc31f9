"""The `epicflow` command line: serve, migrate, manage users, import and export projects."""

from __future__ import annotations

import typer

from epicflow.cli.db import db_app
from epicflow.cli.serve import serve
from epicflow.cli.transfer import export_command, import_command
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
app.command("import")(import_command)
app.command("export")(export_command)

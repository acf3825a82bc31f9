"""The `epicflow` command line: worker commands over the API, operator commands in-process."""

from __future__ import annotations

import typer

from epicflow.cli import account, agents, board, claiming
from epicflow.cli.db import db_app
from epicflow.cli.serve import serve
from epicflow.cli.transfer import export_command, import_command
from epicflow.cli.users import users_app
from epicflow.cli.work import work

WORKER = "Worker commands (over the API: EPICFLOW_URL, epicflow login)"
OPERATOR = "Operator commands (on the database: EPICFLOW_DATABASE_URL)"

app = typer.Typer(
    name="epicflow",
    help="epicflow: epics of small, dependent tasks, run in parallel safely.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for command in (
    account.login,
    account.logout,
    account.whoami,
    board.projects,
    board.ls,
    board.show,
    board.add,
    claiming.claim,
    claiming.heartbeat,
    claiming.release,
    claiming.complete,
    board.comment,
    board.plan,
    board.graph,
    agents.mcp,
):
    app.command(rich_help_panel=WORKER)(command)
app.command(rich_help_panel=WORKER, context_settings={"allow_interspersed_args": False})(work)

app.command(rich_help_panel=OPERATOR)(serve)
app.add_typer(db_app, name="db", rich_help_panel=OPERATOR)
app.add_typer(users_app, name="users", rich_help_panel=OPERATOR)
app.command("import", rich_help_panel=OPERATOR)(import_command)
app.command("export", rich_help_panel=OPERATOR)(export_command)

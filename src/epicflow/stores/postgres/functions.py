"""PostgreSQL's stored functions, each one's current text from its file in `sql/`.

A file holds the function as `CREATE OR REPLACE FUNCTION …`; where the function repeats a rule
Python defines, the file holds a placeholder `{{name}}` instead, filled here from the Python
definition: rule 5, what a task waits on and how it is held from `epicflow.tasks.readiness`
(the waits in this store's JSON spelling, `task_reads.waiting_on_json`), compiled for
PostgreSQL with literal values, and the counts lock's class from `locks.COUNTS_LOCK_CLASS`.
A migration installs a function by carrying its rendered text;
tests/stores/test_postgres_functions.py holds the newest such text and the migrated database
to the rendering, so a change of a rule here needs a migration.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, literal_column, not_, select
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.sql.util import ClauseAdapter

from epicflow.stores.postgres.locks import COUNTS_LOCK_CLASS
from epicflow.stores.postgres.task_reads import waiting_on_json
from epicflow.tasks.models import Task
from epicflow.tasks.readiness import (
    UNRESOLVED_DEPENDENCY,
    claim_order,
    held,
    ready_condition,
    ready_flag_given,
    unresolved,
)

FUNCTIONS = (
    "epicflow_isoformat",
    "epicflow_task_view",
    "epicflow_claim_next",
    "epicflow_complete",
    "epicflow_release",
    "epicflow_extend",
    "epicflow_event_notify",
)
"""In the order they can be created: a claim's event calls `epicflow_isoformat`."""

_DIRECTORY = Path(__file__).with_name("sql")
_PLACEHOLDER = re.compile(r"^(?P<indent>[ \t]*)(?P<lead>.*?)\{\{(?P<name>\w+)\}\}", re.MULTILINE)
_WHERE = "\nWHERE "
_POSTGRESQL = PGDialect()  # type: ignore[no-untyped-call]  # untyped in SQLAlchemy 2.0


def compile_condition(condition: ColumnElement[bool], alias: str | None = None) -> str:
    """`condition`, a condition on a task row, as PostgreSQL text with its values inline.

    It is compiled as the WHERE clause of a SELECT from `task` (named `alias` when given), so
    that its correlated subqueries refer to that row instead of adding `task` to their own FROM.
    """
    source: FromClause = Task.__table__
    if alias:
        source = source.alias(alias)
        condition = ClauseAdapter(source).traverse(condition)
    statement: Select[Any] = select(literal_column("1")).select_from(source).where(condition)
    text = str(statement.compile(dialect=_POSTGRESQL, compile_kwargs={"literal_binds": True}))
    _select_from, found, rule = text.partition(_WHERE)
    if not found:  # pragma: no cover - SQLAlchemy writes its WHERE on a line of its own
        raise AssertionError(f"unexpected compiled form: {text!r}")
    return "\n".join(line.rstrip() for line in rule.splitlines())


def compile_expression(expression: ColumnElement[Any]) -> str:
    """`expression`, a value of a task row, as PostgreSQL text with its values inline; its
    correlated subqueries refer to the row `task`."""
    statement = select(expression.label("v")).select_from(Task.__table__)
    text = str(statement.compile(dialect=_POSTGRESQL, compile_kwargs={"literal_binds": True}))
    head, found, _from_task = text.rpartition(" AS v \nFROM task")
    if not found or not head.startswith("SELECT "):  # pragma: no cover - SQLAlchemy's layout
        raise AssertionError(f"unexpected compiled form: {text!r}")
    return "\n".join(line.rstrip() for line in head.removeprefix("SELECT ").splitlines())


def compile_order(order: tuple[Any, ...], alias: str) -> str:
    """An ORDER BY list on task rows named `alias`, as PostgreSQL text."""
    table = Task.__table__
    plain: Select[Any] = select(literal_column("1")).select_from(table).order_by(*order)
    statement = ClauseAdapter(table.alias(alias)).traverse(plain)
    text = str(statement.compile(dialect=_POSTGRESQL))
    _select_from, found, listed = text.partition(" ORDER BY ")
    if not found:  # pragma: no cover - SQLAlchemy writes its ORDER BY on a line of its own
        raise AssertionError(f"unexpected compiled form: {text!r}")
    return listed.strip()


def _rules() -> dict[str, str]:
    """Each placeholder's text; `v_now`, `p_now` and `edges.open_deps` are the functions' own."""
    return {
        # epicflow_claim_next: the candidate `t` is ready at the moment of the claim.
        "ready_condition": compile_condition(ready_condition(literal_column("v_now")), "t"),
        # epicflow_complete: the held task `t` waits on nothing.
        "no_unresolved_dependency": compile_condition(not_(UNRESOLVED_DEPENDENCY), "t"),
        # epicflow_task_view: its dependencies, counted in the lateral `edges`, are `dep`.
        "unresolved_dependency": compile_condition(unresolved(literal_column("dep.status"))),
        "ready_flag": compile_condition(
            ready_flag_given(literal_column("edges.open_deps"), literal_column("p_now"))
        ),
        "waiting_on": compile_expression(waiting_on_json()),
        "held": compile_expression(held(literal_column("p_now"))),
        "claim_order": compile_order(claim_order(), "t"),
        "counts_lock_class": str(COUNTS_LOCK_CLASS),
    }


def _fill(text: str, rules: dict[str, str]) -> str:
    """Each placeholder replaced by its rule, whose further lines are indented past it."""

    def replace(match: re.Match[str]) -> str:
        indent = match["indent"] + " " * (len(match["lead"]) + 4)
        rule = rules[match["name"]].replace("\n", "\n" + indent)
        return f"{match['indent']}{match['lead']}{rule}"

    return _PLACEHOLDER.sub(replace, text)


@cache
def function_sql(name: str) -> str:
    """The `CREATE OR REPLACE FUNCTION` statement of the function `name`, rendered."""
    if name not in FUNCTIONS:
        raise KeyError(name)
    return _fill((_DIRECTORY / f"{name}.sql").read_text(encoding="utf-8"), _rules())

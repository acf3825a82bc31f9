"""PostgreSQL's functions carry the rules Python defines, and the newest migration that installs
each one carries its current text: a change of a rule in Python without a migration fails here.
No database needed."""

from __future__ import annotations

import re
from types import ModuleType
from unittest.mock import MagicMock

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import literal_column, not_

from epicflow.platform.migrations import alembic_config
from epicflow.stores.postgres.functions import FUNCTIONS, compile_condition, function_sql
from epicflow.stores.postgres.locks import COUNTS_LOCK_CLASS
from epicflow.tasks.readiness import UNRESOLVED_DEPENDENCY, ready_condition, unresolved

_CREATE = re.compile(r"^CREATE (?:OR REPLACE )?FUNCTION (\w+)\(")


def _words(sql: str) -> str:
    return " ".join(sql.split())


def _statement(sql: str) -> str:
    """A CREATE FUNCTION statement as the files write it: CREATE OR REPLACE, no outer blanks."""
    return re.sub(r"^CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", sql.strip())


class _Recorder:
    """Alembic's `op` on PostgreSQL for a migration's upgrade: keeps what it executes."""

    def __init__(self) -> None:
        self.executed: list[str] = []

    def get_bind(self) -> MagicMock:
        bind = MagicMock()
        bind.dialect.name = "postgresql"
        return bind

    def execute(self, statement: object) -> None:
        self.executed.append(str(statement))

    def __getattr__(self, _name: str) -> MagicMock:
        return MagicMock()


def _installed_by(module: ModuleType, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    recorder = _Recorder()
    monkeypatch.setattr(module, "op", recorder)
    module.upgrade()
    found = {}
    for statement in recorder.executed:
        match = _CREATE.match(statement.strip())
        if match:
            found[match[1]] = statement
    return found


@pytest.fixture(scope="module")
def newest_texts() -> dict[str, tuple[str, str]]:
    """Each function's text in the newest migration whose upgrade installs it (and that
    migration's revision)."""
    texts: dict[str, tuple[str, str]] = {}
    script = ScriptDirectory.from_config(alembic_config("postgresql://"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        for revision in script.walk_revisions():  # from the head down
            for name, statement in _installed_by(revision.module, monkeypatch).items():
                texts.setdefault(name, (revision.revision, statement))
            if set(texts) >= set(FUNCTIONS):
                break
    return texts


@pytest.mark.parametrize("name", FUNCTIONS)
def test_the_newest_migration_installs_the_rendered_file(
    newest_texts: dict[str, tuple[str, str]], name: str
) -> None:
    revision, statement = newest_texts[name]
    assert _statement(statement) == _statement(function_sql(name)), (
        f"{name} renders differently from migration {revision}: a rule changed; add a"
        " migration that installs the function's rendered text"
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_placeholder_is_filled(name: str) -> None:
    assert "{{" not in function_sql(name)
    assert "}}" not in function_sql(name)


def test_the_claim_checks_rule_5_as_python_writes_it() -> None:
    rule = compile_condition(ready_condition(literal_column("v_now")), "t")
    claim = _words(function_sql("epicflow_claim_next"))
    assert _words(rule) in claim
    # On the claim's candidate `t` and at the claim's own time, never on an outer `task`.
    assert "task.id" not in _words(rule)
    assert "v_now" in rule


def test_the_completion_checks_dependencies_and_locks_as_python_does() -> None:
    complete = _words(function_sql("epicflow_complete"))
    assert _words(compile_condition(not_(UNRESOLVED_DEPENDENCY), "t")) in complete
    assert f"pg_advisory_xact_lock_shared({COUNTS_LOCK_CLASS}, " in complete


def test_the_view_counts_unresolved_dependencies_as_python_does() -> None:
    view = _words(function_sql("epicflow_task_view"))
    condition = _words(compile_condition(unresolved(literal_column("dep.status"))))
    assert view.count(f"FILTER (WHERE {condition})") == 2
    assert "edges.open_deps = 0" in view
    assert "task.lease_expires_at <= p_now" in view


def test_an_unknown_function_is_refused() -> None:
    with pytest.raises(KeyError):
        function_sql("epicflow_nothing")

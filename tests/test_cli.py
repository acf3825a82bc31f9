"""The operator CLI, run in-process with a real database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from epicflow.cli.main import app
from epicflow.settings import get_settings


@pytest.fixture
def cli_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("EPICFLOW_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


runner = CliRunner()


class TestUsersCreate:
    @pytest.mark.usefixtures("cli_env")
    def test_creates_a_superuser_from_stdin(self) -> None:
        result = runner.invoke(
            app,
            ["users", "create", "Root@Example.com", "--superuser", "--password-stdin"],
            input="a long enough password\n",
        )
        assert result.exit_code == 0, result.output
        assert "created root@example.com (superuser)" in result.output

    @pytest.mark.usefixtures("cli_env")
    def test_taken_email_is_one_readable_line_and_exit_1(self) -> None:
        args = ["users", "create", "dup@example.com", "--password-stdin"]
        runner.invoke(app, args, input="a long enough password\n")
        result = runner.invoke(app, args, input="a long enough password\n")
        assert result.exit_code == 1
        assert "already exists" in result.output
        assert "Traceback" not in result.output

    @pytest.mark.usefixtures("cli_env")
    def test_short_password_is_refused(self) -> None:
        result = runner.invoke(
            app, ["users", "create", "short@example.com", "--password-stdin"], input="short\n"
        )
        assert result.exit_code == 1
        assert "password" in result.output


class TestDb:
    @pytest.mark.usefixtures("cli_env")
    def test_current_and_check_succeed_at_head(self) -> None:
        assert runner.invoke(app, ["db", "current"]).exit_code == 0
        assert runner.invoke(app, ["db", "check"]).exit_code == 0

    def test_unknown_command_is_a_usage_error(self) -> None:
        assert runner.invoke(app, ["frobnicate"]).exit_code == 2


class TestServe:
    def test_refuses_production_without_a_secret(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("EPICFLOW_ENV", "production")
        monkeypatch.delenv("EPICFLOW_SECRET_KEY", raising=False)
        get_settings.cache_clear()
        try:
            result = runner.invoke(app, ["serve", "--no-migrate"])
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 1
        assert "EPICFLOW_SECRET_KEY is required" in result.output


class TestNoDatabaseByAccident:
    @pytest.fixture
    def empty_folder(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
        """The default SQLite URL, run from a folder that holds no database."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.delenv("EPICFLOW_DATABASE_URL", raising=False)
        get_settings.cache_clear()
        yield tmp_path
        get_settings.cache_clear()

    @pytest.mark.parametrize(
        "args",
        [
            ["users", "create", "a@example.com", "--password-stdin"],
            ["export", "-p", "WEB", "--out", "out"],
            ["db", "current"],
        ],
    )
    def test_a_missing_database_is_one_line_and_exit_1(
        self, empty_folder: Path, args: list[str]
    ) -> None:
        result = runner.invoke(app, args, input="a long enough password\n")
        assert result.exit_code == 1
        assert result.output.count("\n") == 1, result.output
        assert "epicflow db upgrade" in result.output
        assert list(empty_folder.iterdir()) == []

    def test_a_database_without_the_schema_is_refused(self, empty_folder: Path) -> None:
        sqlite3.connect(empty_folder / "epicflow.db").close()
        args = ["users", "create", "a@example.com", "--password-stdin"]
        result = runner.invoke(app, args, input="a long enough password\n")
        assert result.exit_code == 1
        assert "no epicflow schema" in result.output

    def test_help_shows_worker_and_operator_commands_apart(self) -> None:
        shown = runner.invoke(app, ["--help"]).output
        assert shown.index("Worker commands") < shown.index("claim") < shown.index("Operator")
        assert shown.index("Operator commands") < shown.index("users")

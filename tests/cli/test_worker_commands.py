"""Worker commands against a served API: what they print, what they keep, how they exit."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from epicflow.cli.main import app
from tests.support.served_api import ServedProject
from tests.support.users import PASSWORD

runner = CliRunner()


def run_json(*args: str, code: int = 0) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


class TestLogin:
    def test_a_token_from_stdin_is_stored_privately_and_used_then_forgotten(
        self, project: ServedProject, config_home: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("EPICFLOW_TOKEN")
        result = runner.invoke(app, ["login", "--token-stdin"], input=project.token + "\n")
        assert result.exit_code == 0, result.output
        stored = config_home / "credentials.toml"
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert project.token in stored.read_text()
        assert run_json("whoami")["email"] == project.email
        assert runner.invoke(app, ["logout"]).exit_code == 0
        assert project.token not in stored.read_text()
        assert run_json("whoami", code=1)["status"] == 401

    def test_email_and_password_make_an_api_token(
        self, project: ServedProject, config_home: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("EPICFLOW_TOKEN")
        result = runner.invoke(app, ["login"], input=f"{project.email}\n{PASSWORD}\n")
        assert result.exit_code == 0, result.output
        assert "efp_" in (config_home / "credentials.toml").read_text()
        assert run_json("whoami")["email"] == project.email

    def test_a_wrong_password_is_one_line_and_exit_1(
        self, project: ServedProject, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv("EPICFLOW_TOKEN")
        result = runner.invoke(app, ["login"], input=f"{project.email}\nnot the password\n")
        assert result.exit_code == 1
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("error: ")


class TestReading:
    def test_json_is_exactly_the_apis(self, project: ServedProject) -> None:
        project.task("Write the parser", labels=["core"])
        project.task("Write the docs")
        assert run_json("ls", "-p", "WEB") == project.get("/projects/WEB/tasks")
        listed = run_json("ls", "-p", "WEB", "--label", "core")
        assert [task["title"] for task in listed["items"]] == ["Write the parser"]
        assert run_json("projects") == project.get("/projects", limit=200)
        assert run_json("show", "WEB-1") == project.get("/tasks/WEB-1")
        assert run_json("plan", "-p", "WEB") == project.get("/projects/WEB/plan")

    def test_readable_output_names_the_tasks(self, project: ServedProject) -> None:
        project.task("Write the [bold]parser[/bold]")
        result = runner.invoke(app, ["ls", "-p", "WEB", "--ready"])
        assert result.exit_code == 0, result.output
        assert "WEB-1" in result.stdout
        assert "[bold]parser[/bold]" in result.stdout  # printed as written

    def test_graph_prints_mermaid(self, project: ServedProject) -> None:
        first = project.task("Write the parser")
        project.task("Write the docs", depends_on=[first["key"]])
        result = runner.invoke(app, ["graph", "-p", "WEB"])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("flowchart")

    def test_an_unknown_task_is_exit_1_with_the_code(self, project: ServedProject) -> None:
        result = runner.invoke(app, ["show", "WEB-99"])
        assert result.exit_code == 1
        assert "task_not_found" in result.stderr


class TestWriting:
    def test_add_creates_a_task_with_its_estimate_and_dependencies(
        self, project: ServedProject
    ) -> None:
        project.task("Write the parser")
        args = ["add", "-p", "WEB", "--title", "Test the parser", "--depends-on", "WEB-1"]
        created = run_json(*args, "--size", "S", "--label", "core")
        assert created == project.get(f"/tasks/{created['key']}")
        assert created["depends_on"] == ["WEB-1"]
        assert created["estimate"] == {"size": "S", "hours": None}

    def test_size_and_hours_together_are_a_usage_error(self, project: ServedProject) -> None:
        args = ["add", "-p", "WEB", "--title", "Do it", "--size", "S", "--hours", "3"]
        assert runner.invoke(app, args).exit_code == 2


class TestClaims:
    def test_claim_keeps_the_token_for_heartbeat_and_complete(
        self, project: ServedProject, config_home: Path
    ) -> None:
        project.task("Write the parser")
        claimed = run_json("claim", "-p", "WEB", "--worker", "w1", "--lease", "60")
        assert claimed["task"]["claimed_by"] == "w1"
        assert claimed["claim_token"] in (config_home / "claims.json").read_text()
        beat = run_json("heartbeat", "WEB-1")
        assert beat["claim_token"] == claimed["claim_token"]
        assert run_json("complete", "WEB-1")["status"] == "done"
        assert claimed["claim_token"] not in (config_home / "claims.json").read_text()

    def test_complete_adds_each_link_to_the_task(self, project: ServedProject) -> None:
        project.task("Write the parser")
        run_json("claim", "WEB-1")
        pr, build = "https://git.example/web/pull/3", "http://ci.example/b/9"
        done = run_json("complete", "WEB-1", "--link", pr, "--link", build)
        assert done["status"] == "done"
        assert done["links"] == [{"url": pr, "title": None}, {"url": build, "title": None}]

    def test_a_link_the_server_refuses_is_exit_1_and_the_claim_stays(
        self, project: ServedProject
    ) -> None:
        project.task("Write the parser")
        run_json("claim", "WEB-1")
        refused = runner.invoke(app, ["complete", "WEB-1", "--link", "ftp://files.example/a"])
        assert refused.exit_code == 1, refused.output
        assert "links" in refused.output
        assert run_json("complete", "WEB-1")["links"] == []

    def test_a_named_task_is_claimed_and_released(self, project: ServedProject) -> None:
        project.task("Write the parser")
        project.task("Write the docs")
        assert run_json("claim", "WEB-2")["task"]["key"] == "WEB-2"
        assert run_json("release", "WEB-2")["status"] == "open"

    def test_a_drained_queue_is_exit_3(self, project: ServedProject) -> None:
        assert run_json("claim", "-p", "WEB", code=3) == {"task": None, "queue": "drained"}
        result = runner.invoke(app, ["claim", "-p", "WEB"])
        assert result.exit_code == 3
        assert "drained" in result.stdout

    def test_work_that_is_not_ready_is_waiting(self, project: ServedProject) -> None:
        first = project.task("Write the parser")
        project.task("Write the docs", depends_on=[first["key"]])
        project.claim(first["key"])
        assert run_json("claim", "-p", "WEB", code=3) == {"task": None, "queue": "waiting"}

    def test_a_stale_token_is_claim_lost_exit_4(self, project: ServedProject) -> None:
        project.task("Write the parser")
        project.claim("WEB-1")
        problem = run_json("heartbeat", "WEB-1", "--token", "not-the-token", code=4)
        assert problem["code"] == "claim_lost"

    def test_no_kept_token_says_so(self, project: ServedProject) -> None:
        project.task("Write the parser")
        result = runner.invoke(app, ["complete", "WEB-1"])
        assert result.exit_code == 1
        assert "--token" in result.stderr

    def test_task_and_project_together_are_a_usage_error(self, project: ServedProject) -> None:
        assert runner.invoke(app, ["claim", "WEB-1", "-p", "WEB"]).exit_code == 2
        assert runner.invoke(app, ["claim"]).exit_code == 2

"""`epicflow work` as a real process running a real command, against a served API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.served_api import ServedProject

EPICFLOW = str(Path(sys.executable).parent / "epicflow")
BOUND = 120  # seconds any one process may take before the test fails


def work(*args: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EPICFLOW, "work", "-p", "WEB", *args, "--", *command],
        capture_output=True,
        text=True,
        timeout=BOUND,
        env=os.environ.copy(),
        check=False,
    )


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


RECORD = (
    "import os, json, pathlib; task = json.loads(pathlib.Path(os.environ['EPICFLOW_TASK_JSON'])"
    ".read_text()); assert task['key'] == os.environ['EPICFLOW_TASK'];"
    " assert os.environ['EPICFLOW_CLAIM_TOKEN'];"
    " pathlib.Path({out!r}, os.environ['EPICFLOW_TASK']).write_text(task['title'])"
)


class TestWork:
    def test_runs_every_ready_task_until_the_queue_is_drained(
        self, project: ServedProject, tmp_path: Path
    ) -> None:
        first = project.task("Write the parser")
        project.task("Write the docs", depends_on=[first["key"]])
        done = work(command=python(RECORD.format(out=str(tmp_path))))
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "WEB-1").read_text() == "Write the parser"
        assert (tmp_path / "WEB-2").read_text() == "Write the docs"
        statuses = [task["status"] for task in project.get("/projects/WEB/tasks")["items"]]
        assert statuses == ["done", "done"]

    def test_once_runs_one_task(self, project: ServedProject, tmp_path: Path) -> None:
        project.task("Write the parser")
        project.task("Write the docs")
        ran = tmp_path / "ran"
        ran.mkdir()
        done = work("--once", command=python(RECORD.format(out=str(ran))))
        assert done.returncode == 0, done.stderr
        assert sorted(path.name for path in ran.iterdir()) == ["WEB-1"]
        assert project.get("/tasks/WEB-2")["status"] == "open"

    def test_once_with_nothing_to_claim_is_exit_3(self, project: ServedProject) -> None:
        done = work("--once", "--json", command=python("raise SystemExit(0)"))
        assert done.returncode == 3, done.stderr
        assert '"queue": "drained"' in done.stdout

    def test_a_failing_command_releases_its_task(self, project: ServedProject) -> None:
        project.task("Write the parser")
        done = work("--once", command=python("raise SystemExit(7)"))
        assert done.returncode == 0, done.stderr
        assert "exit code 7" in done.stdout
        task = project.get("/tasks/WEB-1")
        assert (task["status"], task["claimed_by"]) == ("open", None)

    def test_a_signal_releases_the_running_task(
        self, project: ServedProject, tmp_path: Path
    ) -> None:
        project.task("Write the parser")
        started = tmp_path / "started"
        sleeper = python(
            f"import pathlib, time; pathlib.Path({str(started)!r}).touch(); time.sleep({BOUND})"
        )
        process = subprocess.Popen(
            [EPICFLOW, "work", "-p", "WEB", "--", *sleeper],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + BOUND
            while not started.exists():
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "the command never started"
                time.sleep(0.1)
            assert project.get("/tasks/WEB-1")["status"] == "in_progress"
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=BOUND)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 128 + signal.SIGTERM, err
        assert "stopped by SIGTERM" in out
        task = project.get("/tasks/WEB-1")
        assert (task["status"], task["claimed_by"]) == ("open", None)

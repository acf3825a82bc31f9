"""The served API against its own OpenAPI schema, fuzzed by the schemathesis CLI (SPEC §3).

A real server process on a free port, on the test database, with an authenticated caller who owns
a project `ST`; then `st run` over every operation, checking that no answer is a 5xx and that each
answer's status, content type and body are the ones the schema documents for that operation.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from epicflow.platform.db import Database
from tests.support.settings import TEST_SECRET
from tests.support.users import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 30
EXAMPLES_PER_OPERATION = 15
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# The coverage phase derives boundary cases from every constraint in the schema and does not
# honour --max-examples: on this API it alone runs for minutes. Examples (none are declared yet),
# fuzzing (bounded per operation) and stateful runs (chaining links between operations) keep the
# test near a minute.
PHASES = "examples,fuzzing,stateful"


@dataclass(frozen=True)
class Server:
    base_url: str
    log: Path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server was not ready within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture
def server(database_url: str, db: Database, tmp_path: Path) -> Iterator[Server]:
    """`epicflow serve` on a free port. Asking for `db` makes conftest empty the tables after."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "EPICFLOW_ENV": "test",
        "EPICFLOW_DATABASE_URL": database_url,
        "EPICFLOW_SECRET_KEY": TEST_SECRET,
        "EPICFLOW_AUTH_RATE_LIMIT": "0",
        "EPICFLOW_API_RATE_LIMIT": "0",
        "EPICFLOW_LOG_LEVEL": "WARNING",
    }
    command = [str(BIN / "epicflow"), "serve", "--no-migrate", "--port", str(port)]
    with log.open("wb") as output:
        # cwd: an empty folder, so no stray .env is read
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=output, stderr=output)
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_ready(base_url, process, log)
        yield Server(base_url, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass(frozen=True)
class Caller:
    token: str
    user_id: str


def _caller(base_url: str) -> Caller:
    """Sign up and log in over HTTP; the caller owns the project `ST` and a spare `DEL`."""
    with httpx.Client(base_url=f"{base_url}/api/v1", timeout=10) as http:
        email = "schemathesis@example.com"
        created = http.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert created.status_code == 201, created.text
        login = http.post("/auth/token", data={"username": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token: str = login.json()["access_token"]
        for key in ("ST", "DEL"):
            project = http.post(
                "/projects",
                json={"key": key, "name": f"Schemathesis {key}"},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert project.status_code == 201, project.text
        return Caller(token, created.json()["id"])


def _config(caller: Caller) -> str:
    """Point `{key}` at ST and `{user_id}` at the caller, so the project routes are reached
    beyond their 404s; only the project deletion gets DEL, so ST lives through the run."""
    return f"""
[parameters]
"path.key" = "ST"
"path.user_id" = "{caller.user_id}"

[[operations]]
include-name = "DELETE /api/v1/projects/{{key}}"
parameters = {{ "path.key" = "DEL" }}
"""


@pytest.mark.slow
def test_the_api_conforms_to_its_own_schema(server: Server, tmp_path: Path) -> None:
    caller = _caller(server.base_url)
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(caller))
    command = [
        str(BIN / "st"),
        "--config-file",
        str(config),
        "run",
        f"{server.base_url}/openapi.json",
        "--header",
        f"Authorization: Bearer {caller.token}",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--generation-database",
        "none",
        "--request-timeout",
        "10",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.support.schemathesis_hooks"}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    print(result.stdout)  # shown by pytest -rP or -s: what ran, with the seed
    if result.returncode != 0:
        server_log = server.log.read_text()[-20_000:]
        pytest.fail(
            f"schemathesis exited with {result.returncode}\n"
            f"{result.stdout}\n{result.stderr}\n--- server log (end) ---\n{server_log}",
            pytrace=False,
        )

"""`epicflow serve` processes on free loopback ports sharing one database, each with its own
lease sweeper; killed (the whole process group) on the way out."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.proxy import free_port
from tests.support.settings import TEST_SECRET

BIN = Path(sys.executable).parent


async def _wait_ready(base_url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(base_url=base_url, timeout=2) as http:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                pytest.fail(f"{base_url} exited with {process.returncode}:\n{log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if (await http.get("/health/ready")).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    pytest.fail(f"{base_url} was not ready within 60 s:\n{log.read_text()}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM to the process group (uvicorn drains), SIGKILL when it takes too long."""
    for sig, grace in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        if process.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), grace)


@asynccontextmanager
async def served(
    database_url: str, workdir: Path, count: int, *, sweep_seconds: float = 1.0
) -> AsyncIterator[list[str]]:
    """`count` processes of `epicflow serve --no-migrate` on one database; yields base URLs
    (see `served_processes`)."""
    async with served_processes(database_url, workdir, count, sweep_seconds=sweep_seconds) as up:
        yield [url for url, _ in up]


@asynccontextmanager
async def served_processes(
    database_url: str, workdir: Path, count: int, *, sweep_seconds: float = 1.0
) -> AsyncIterator[list[tuple[str, asyncio.subprocess.Process]]]:
    """`count` processes of `epicflow serve --no-migrate` on one database; yields each one's
    base URL and process.

    Each runs in its own session (process group), started from an empty folder (no stray
    `.env`), logging at WARNING into `workdir/server-N.log`."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "EPICFLOW_ENV": "test",
        "EPICFLOW_DATABASE_URL": database_url,
        "EPICFLOW_SECRET_KEY": TEST_SECRET,
        "EPICFLOW_AUTH_RATE_LIMIT": "0",
        "EPICFLOW_API_RATE_LIMIT": "0",
        "EPICFLOW_LOG_LEVEL": "WARNING",
        "EPICFLOW_LEASE_SWEEP_SECONDS": str(sweep_seconds),
    }
    processes: list[tuple[str, asyncio.subprocess.Process, Path]] = []
    try:
        for number in range(count):
            port = free_port()
            log = workdir / f"server-{number}.log"
            with log.open("wb") as output:
                process = await asyncio.create_subprocess_exec(
                    str(BIN / "epicflow"),
                    *("serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)),
                    env=env,
                    cwd=workdir,
                    stdin=asyncio.subprocess.DEVNULL,
                    stdout=output,
                    stderr=output,
                    start_new_session=True,
                )
            processes.append((f"http://127.0.0.1:{port}", process, log))
        await asyncio.gather(*(_wait_ready(url, proc, log) for url, proc, log in processes))
        yield [(url, process) for url, process, _ in processes]
    finally:
        await asyncio.gather(*(_stop(process) for _, process, _ in processes))


def server_logs(workdir: Path) -> str:
    """What the servers wrote (WARNING and up), for failure messages."""
    return "\n".join(
        f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}"
        for log in sorted(workdir.glob("server-*.log"))
    )

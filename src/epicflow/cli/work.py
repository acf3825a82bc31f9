"""`epicflow work -- COMMAND`: claim a task, run COMMAND on it, complete or release it, repeat.

COMMAND gets `EPICFLOW_TASK` (the key), `EPICFLOW_TASK_JSON` (a file holding the task's JSON) and
`EPICFLOW_CLAIM_TOKEN`. The lease is extended every third of its length while COMMAND runs. Exit 0
completes the task with the last 64 KiB of COMMAND's output (standard output and error) as its
summary; any other exit releases it with the exit code as the reason. SIGINT or SIGTERM stops
COMMAND, releases its task and ends with 128 + the signal's number."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Annotated, Any, BinaryIO

import typer

from epicflow.cli.errors import EXIT_NOTHING_TO_CLAIM
from epicflow.cli.remote import (
    JsonOption,
    ProjectOption,
    WorkerOption,
    api_errors,
    dropped_warning,
    out,
    print_json,
    worker_name,
)
from epicflow.client import ApiClient, ApiError, ClientConfig

SUMMARY_BYTES = 64 * 1024
DEFAULT_LEASE = 900
STOP_GRACE_SECONDS = 10.0
IDLE_SECONDS = 2.0  # between claims when the server could not wait for work itself


@dataclass
class Worker:
    client: ApiClient
    config: ClientConfig
    command: list[str]
    name: str
    lease: int
    as_json: bool
    stopped: signal.Signals | None = None
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    def on_signal(self, which: signal.Signals) -> None:
        self.stopped = which
        self.stop.set()

    def say(self, line: str, shown: Any) -> None:
        if self.as_json:
            print_json(shown)
        else:
            out.print(line)

    async def _until_stopped(self, work: asyncio.Future[Any]) -> bool:
        """Wait for `work` or a stop signal; True when `work` finished first."""
        stopping = asyncio.ensure_future(self.stop.wait())
        await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        return work.done()

    async def _heartbeats(self, key: str, token: str, process: asyncio.subprocess.Process) -> None:
        """Extend the lease every third of it; a lost claim stops COMMAND."""
        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                await self.client.heartbeat(key, token, self.lease)
            except ApiError as exc:
                if exc.code == "claim_lost":
                    with contextlib.suppress(ProcessLookupError):
                        process.terminate()
                    raise
                # a server that is briefly away: the next beat tries again within the lease

    async def _copy_output(self, process: asyncio.subprocess.Process, tail: bytearray) -> None:
        sink: BinaryIO = (sys.stderr if self.as_json else sys.stdout).buffer
        assert process.stdout is not None
        while chunk := await process.stdout.read(65536):
            sink.write(chunk)
            sink.flush()
            tail.extend(chunk)
            del tail[:-SUMMARY_BYTES]

    async def _end(self, process: asyncio.subprocess.Process) -> None:
        """Stop COMMAND: SIGTERM, then SIGKILL when it takes too long."""
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()

    async def run_task(self, claimed: dict[str, Any]) -> None:
        """Run COMMAND on a claimed task, then complete or release it."""
        task, token = claimed["task"], claimed["claim_token"]
        key = task["key"]
        self.config.keep_claim(key, token)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(task, handle)
        env = {
            **os.environ,
            "EPICFLOW_TASK": key,
            "EPICFLOW_TASK_JSON": handle.name,
            "EPICFLOW_CLAIM_TOKEN": token,
        }
        tail = bytearray()
        try:
            process = await asyncio.create_subprocess_exec(
                *self.command,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            beats = asyncio.ensure_future(self._heartbeats(key, token, process))
            finished = asyncio.ensure_future(self._finish(process, tail))
            try:
                if not await self._until_stopped(finished):
                    await self._end(process)
                await finished
            finally:
                beats.cancel()
            lost = None if beats.cancelled() or not beats.done() else beats.exception()
            if lost is not None:
                raise lost
            await self._hand_back(key, token, process.returncode, tail)
        finally:
            os.unlink(handle.name)

    async def _finish(self, process: asyncio.subprocess.Process, tail: bytearray) -> None:
        await self._copy_output(process, tail)
        await process.wait()

    async def _hand_back(self, key: str, token: str, code: int | None, tail: bytearray) -> None:
        if self.stopped is None and code == 0:
            summary = tail.decode("utf-8", errors="replace").strip() or None
            done = await self.client.complete(key, token, summary)
            self.say(f"Completed {key}", done)
        else:
            why = f"stopped by {self.stopped.name}" if self.stopped else f"exit code {code}"
            done = await self.client.release(key, token, why)
            self.say(f"Released {key} ({why})", done)
        self.config.drop_claim(key)

    async def claim(self, project: str, wait: int, once: bool) -> int | None:
        """Claim and run one task; an exit code when the loop ends, else None."""
        self.client.dropped.clear()
        asked = asyncio.ensure_future(
            self.client.claim_next(project, self.name, lease_seconds=self.lease, wait_seconds=wait)
        )
        if not await self._until_stopped(asked):
            asked.cancel()
            return 128 + self.stopped.value if self.stopped else 1
        result = asked.result()
        if result.body is not None:
            await self.run_task(result.body)
            return (128 + self.stopped.value) if self.stopped else (0 if once else None)
        if once or result.queue == "drained":
            self.say(f"Nothing to claim ({result.queue})", result.shown())
            return EXIT_NOTHING_TO_CLAIM if once else 0
        if not wait or "wait_seconds" in self.client.dropped:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), wait or IDLE_SECONDS)
        return None


async def _loop(worker: Worker, project: str, wait: int, once: bool) -> int:
    loop = asyncio.get_running_loop()
    for which in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(which, worker.on_signal, which)
    async with worker.client:
        while (code := await worker.claim(project, wait, once)) is None:
            if worker.stopped:
                return 128 + worker.stopped.value
        if not worker.as_json:
            dropped_warning(worker.client)
        return code


def work(
    command: Annotated[list[str], typer.Argument(help="The command to run on each task.")],
    project: ProjectOption,
    worker: WorkerOption = None,
    lease: Annotated[
        int, typer.Option("--lease", min=3, max=86_400, help="Seconds.")
    ] = DEFAULT_LEASE,
    wait: Annotated[
        int, typer.Option("--wait", min=0, max=60, help="Wait up to this many seconds for work.")
    ] = 0,
    once: Annotated[bool, typer.Option("--once", help="Run one task, then stop.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run COMMAND on ready tasks, one after another, until the queue is drained."""
    config = ClientConfig.load()
    name = worker_name(worker)
    client = ApiClient(config.url, config.token())
    with api_errors(as_json):
        code = asyncio.run(
            _loop(Worker(client, config, command, name, lease, as_json), project, wait, once)
        )
    raise typer.Exit(code)

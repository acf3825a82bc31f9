"""HTTP benchmark of epicflow against a bare-ASGI baseline, on a fresh PostgreSQL database.

    uv run python bench/http_bench.py [--duration 10] [--warmup 3] [--connections 64]

One run: create a database, migrate, seed 10,000 tasks and 20,000 edges, serve epicflow with two
workers and measure five endpoints with wrk; serve `bench/baseline_app.py` the same way and
measure its list; serve epicflow with one worker as a smoke check; print the table; stop every
server and drop the database, also on errors and Ctrl-C. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from seed import Seeded, seed

from epicflow.platform import migrations

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LUA = BENCH_DIR / "wrk" / "rotate.lua"
API = "/api/v1"

Request = tuple[str, str, str | None]  # method, path with query, JSON body
FALLBACKS: list[str] = []  # servers that `epicflow serve` could not keep up


@dataclass(frozen=True)
class Target:
    ratio: float
    p99_ms: float | None = None

    def describe(self) -> str:
        text = f">= {self.ratio:.0%}"
        if self.p99_ms is not None:
            text += f", p99 < {self.p99_ms:.0f} ms"
        return text


@dataclass(frozen=True)
class Endpoint:
    name: str
    title: str
    requests: list[Request]
    target: Target | None = None


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    timeouts: int
    socket_errors: int
    restarted: bool = False
    cpu_seconds: float = 0.0  # used by the server's processes during the measured run

    @property
    def cpu_ms_per_request(self) -> float:
        return self.cpu_seconds * 1000 / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def clean(self) -> bool:
        problems = self.non_2xx or self.timeouts or self.socket_errors or self.restarted
        return self.requests > 0 and not problems


@dataclass
class Options:
    duration: float
    warmup: float
    connections: int
    threads: int
    workers: int
    timeout: float
    smoke_duration: float
    pg: str
    tasks: int
    edges: int
    keep_db: bool
    py_spy: Path | None
    launcher: str = "epicflow"
    start_timeout: float = 60.0
    only: list[str] = field(default_factory=list)


class BenchError(RuntimeError):
    pass


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """A server in its own process group, so that stopping it stops its workers too."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path, workers: int
    ) -> None:
        self.name, self.argv, self.env, self.port, self.log = name, argv, env, port, log
        self.workers = workers
        self.proc: subprocess.Popen[bytes] | None = None
        self.pids: list[int] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/health/ready", timeout: float = 120.0) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            with suppress(OSError):
                status, _ = http(self.base + ready_path)
                if status == 200:
                    self.settle(deadline)
                    return
            time.sleep(0.2)
        raise BenchError(f"{self.name} not ready after {timeout:.0f} s:\n{self.tail()}")

    def settle(self, deadline: float) -> None:
        """Wait until every worker has started and gone idle, with the same pids for a while.

        One worker answering /health/ready says nothing of the others, and uvicorn's supervisor
        kills and respawns a worker that does not answer its 5 s health check (for instance while
        it is still importing on a busy machine): such restarts must not fall into a measurement.
        """
        previous: list[int] = []
        stable_since = time.monotonic()
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if pids != previous:
                previous, stable_since = pids, time.monotonic()
            before = {pid: cpu_seconds(pid) for pid in pids}
            time.sleep(0.5)
            busy = any(cpu_seconds(pid) - used > 0.1 for pid, used in before.items())
            enough = len(pids) == self.workers or self.workers == 1
            if enough and not busy and time.monotonic() - stable_since >= 2.0:
                self.pids = pids
                return
        raise BenchError(
            f"{self.name}: workers did not settle (pids {previous}); uvicorn may be restarting "
            f"workers that start slower than its 5 s health check:\n{self.tail()}"
        )

    def cpu(self) -> float:
        """CPU seconds used so far by the server's processes (supervisor and workers)."""
        pids = set(self.worker_pids())
        if self.proc is not None:
            pids.add(self.proc.pid)
        return sum(cpu_seconds(pid) for pid in pids)

    def restarted(self) -> bool:
        return self.worker_pids() != self.pids

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes (children of the supervisor), or the server itself."""
        if self.proc is None:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            pids = [int(p) for p in children.read_text().split()]
        except OSError:
            return []
        workers = []
        for pid in pids:
            with suppress(OSError):
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                if b"multiprocessing" in cmdline and b"resource_tracker" not in cmdline:
                    workers.append(pid)
        return sorted(workers) or [self.proc.pid]

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running(server: Server, timeout: float) -> Iterator[Server]:
    try:
        server.start(timeout=timeout)
        yield server
    finally:
        server.stop()


def http(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# --------------------------------------------------------------------------- database


def dsn_for(base: str, database: str) -> str:
    return f"{base.rstrip('/')}/{database}"


async def create_database(base: str, name: str) -> None:
    conn = await asyncpg.connect(dsn_for(base, "postgres"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop_database(base: str, name: str) -> None:
    conn = await asyncpg.connect(dsn_for(base, "postgres"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


# --------------------------------------------------------------------------- load


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing it from Debian (apt-get install -y wrk) ...")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, check=False, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
            subprocess.run(install, env=env, check=True, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchError("wrk is required: run `apt-get update && apt-get install -y wrk` as root.")


class Load:
    def __init__(self, wrk: str, options: Options, token: str, workdir: Path) -> None:
        self.wrk, self.options, self.token, self.workdir = wrk, options, token, workdir

    def preflight(self, base: str, endpoint: Endpoint) -> None:
        """One real request of each distinct shape: a non-2xx here stops the run loudly."""
        for method, path, body in endpoint.requests[:2]:
            headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            status, content = http(
                base + path,
                method=method,
                body=None if body is None else body.encode(),
                headers=headers,
            )
            if not 200 <= status < 300:
                raise BenchError(
                    f"!!! {endpoint.name}: {method} {path} answered {status}: {content[:500]!r}"
                )

    def run(self, base: str, endpoint: Endpoint, seconds: float, connections: int) -> Result:
        listing = self.workdir / f"{endpoint.name}.requests"
        listing.write_text(
            "".join(
                f"{method}\t{path}" + ("" if body is None else f"\t{body}") + "\n"
                for method, path, body in endpoint.requests
            )
        )
        argv = [
            self.wrk,
            f"-t{min(self.options.threads, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            f"--timeout={self.options.timeout:g}s",
            "-s",
            str(LUA),
            base + "/",
        ]
        env = {**os.environ, "BENCH_REQUESTS": str(listing), "BENCH_TOKEN": self.token}
        done = subprocess.run(
            argv, check=False, env=env, capture_output=True, text=True, timeout=seconds + 60
        )
        for line in done.stdout.splitlines():
            if line.startswith("BENCH_RESULT "):
                data = json.loads(line.removeprefix("BENCH_RESULT "))
                return Result(
                    requests=data["requests"],
                    seconds=data["duration_us"] / 1e6,
                    p50_ms=data["p50_us"] / 1000,
                    p90_ms=data["p90_us"] / 1000,
                    p99_ms=data["p99_us"] / 1000,
                    max_ms=data["max_us"] / 1000,
                    non_2xx=data["status_errors"],
                    timeouts=data["timeouts"],
                    socket_errors=data["connect_errors"]
                    + data["read_errors"]
                    + data["write_errors"],
                )
        raise BenchError(
            f"wrk gave no result (exit {done.returncode}):\n{done.stdout}{done.stderr}"
        )

    def measure(
        self, server: Server, endpoint: Endpoint, *, seconds: float, profile: bool = False
    ) -> Result:
        try:
            self.preflight(server.base, endpoint)
        except BenchError as exc:
            raise BenchError(f"{exc}\n--- {server.name} log:\n{server.tail()}") from exc
        if self.options.warmup > 0:
            warm = self.run(server.base, endpoint, self.options.warmup, self.options.connections)
            if not warm.clean:
                print(f"!!! warm-up of {endpoint.name} had errors: {describe_errors(warm)}")
        spy = self.start_py_spy(server, endpoint, seconds) if profile else None
        try:
            cpu_before = server.cpu()
            result = self.run(server.base, endpoint, seconds, self.options.connections)
            result.cpu_seconds = server.cpu() - cpu_before
            if server.restarted():
                result.restarted = True
                server.pids = server.worker_pids()
        finally:
            if spy is not None:
                spy.wait(timeout=seconds + 30)
        status = "ok" if result.clean else "ERRORS: " + describe_errors(result)
        print(
            f"  {server.name:<10} {endpoint.name:<14} {result.rps:9.1f} req/s  "
            f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
            f"server CPU {result.cpu_ms_per_request:6.2f} ms/req  {status}"
        )
        return result

    def start_py_spy(
        self, server: Server, endpoint: Endpoint, seconds: float
    ) -> subprocess.Popen[bytes] | None:
        out_dir = self.options.py_spy
        spy = shutil.which("py-spy")
        if out_dir is None or spy is None:
            return None
        out_dir.mkdir(parents=True, exist_ok=True)
        pid = server.worker_pids()[0]
        output = out_dir / f"{server.name}-{endpoint.name}.txt"
        argv = [spy, "record", "--pid", str(pid), "--duration", str(max(1, round(seconds) - 1))]
        argv += ["--rate", "250", "--format", "raw", "--output", str(output), "--nonblocking"]
        print(f"  (py-spy recording worker {pid} into {output})")
        return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def describe_errors(result: Result) -> str:
    parts = [
        f"{result.non_2xx} non-2xx",
        f"{result.timeouts} timeouts",
        f"{result.socket_errors} socket errors",
    ]
    if result.requests == 0:
        parts.append("NO REQUESTS")
    if result.restarted:
        parts.append("A WORKER WAS RESTARTED")
    return ", ".join(parts)


# --------------------------------------------------------------------------- scenario


def endpoints(seeded: Seeded) -> list[Endpoint]:
    key, n = seeded.project_key, seeded.tasks
    tasks_path = f"{API}/projects/{key}/tasks"
    spread = [max(1, n * i // 64) for i in range(1, 65)]
    get_keys = spread[::4]  # 16 different tasks
    creates: list[Request] = [
        (
            "POST",
            tasks_path,
            json.dumps(
                {
                    "title": f"Benchmark task {i}",
                    "priority": i % 5,
                    "labels": ["bench", seeded.label_for_filter] if i % 2 else ["bench"],
                    "epic": f"epic-{i % seeded.epics + 1:02d}",
                    "description": "Created by the HTTP benchmark.",
                }
            ),
        )
        for i in range(32)
    ]
    patches: list[Request] = []
    for i in range(256):
        number = 1 + (i * 7919) % n
        body: dict[str, object] = (
            {"priority": i % 5} if i % 2 else {"description": f"Edited by the benchmark ({i})."}
        )
        patches.append(("PATCH", f"{API}/tasks/{key}-{number}", json.dumps(body)))
    filters = f"status=open&label={seeded.label_for_filter}&sort=-priority&limit=50"
    return [
        Endpoint(
            "list",
            "GET /projects/{key}/tasks?limit=50",
            [("GET", f"{tasks_path}?limit=50", None)],
            Target(0.40, 100.0),
        ),
        Endpoint(
            "list_filtered",
            "GET /projects/{key}/tasks?status&label&sort",
            [("GET", f"{tasks_path}?{filters}", None)],
            Target(0.40, 100.0),
        ),
        Endpoint(
            "get",
            "GET /tasks/{task_key} (16 keys)",
            [("GET", f"{API}/tasks/{key}-{number}", None) for number in get_keys],
            Target(0.50),
        ),
        Endpoint(
            "patch",
            "PATCH /tasks/{task_key} (256 keys)",
            patches,
            Target(0.25),
        ),
        Endpoint("create", "POST /projects/{key}/tasks", creates, Target(0.25)),
    ]


def login(base: str, seeded: Seeded) -> str:
    form = urllib.parse.urlencode({"username": seeded.email, "password": seeded.password})
    status, content = http(
        f"{base}{API}/auth/token",
        method="POST",
        body=form.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status != 200:
        raise BenchError(f"POST /auth/token answered {status}: {content[:300]!r}")
    token: str = json.loads(content)["access_token"]
    return token


def epicflow_server(
    workers: int, env: dict[str, str], log: Path, name: str, launcher: str = "epicflow"
) -> Server:
    """`epicflow serve`, or (launcher "uvicorn") the same app and uvicorn settings through
    uvicorn's own CLI with a longer worker health-check timeout."""
    port = free_port()
    if launcher == "epicflow":
        epicflow = Path(sys.executable).with_name("epicflow")
        argv = [str(epicflow), "serve", "--no-migrate", "--workers", str(workers)]
        argv += ["--port", str(port)]
    else:
        argv = [sys.executable, "-m", "uvicorn", "epicflow.main:create_app", "--factory"]
        argv += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        argv += ["--log-level", "warning", "--no-access-log", "--proxy-headers"]
        argv += ["--timeout-graceful-shutdown", "30", "--timeout-worker-healthcheck", "60"]
    return Server(name, argv, env, port, log, workers)


@contextmanager
def serving_epicflow(
    options: Options, workers: int, env: dict[str, str], log: Path, name: str
) -> Iterator[Server]:
    """Start epicflow; if `epicflow serve` cannot keep its workers up (see Server.settle), say so
    loudly and fall back to the uvicorn launcher, which serves the same app the same way."""
    server = epicflow_server(workers, env, log, name, options.launcher)
    try:
        try:
            server.start(timeout=options.start_timeout)
        except BenchError as exc:
            if options.launcher != "epicflow" or workers == 1:
                raise
            server.stop()
            print(f"!!! `epicflow serve --workers {workers}` did not come up cleanly: {exc}")
            print("!!! falling back to `python -m uvicorn epicflow.main:create_app --factory`")
            print("!!! with --timeout-worker-healthcheck 60 (same app, same uvicorn settings)")
            FALLBACKS.append(name)
            server = epicflow_server(workers, env, log, name, "uvicorn")
            server.start(timeout=options.start_timeout)
        yield server
    finally:
        server.stop()


def baseline_server(workers: int, env: dict[str, str], log: Path) -> Server:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "baseline_app:create_app", "--factory"]
    argv += ["--app-dir", str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    return Server("baseline", argv, env, port, log, workers)


@dataclass
class Report:
    options: Options
    seeded: Seeded
    results: dict[str, Result] = field(default_factory=dict)
    baseline: Result | None = None
    smoke: Result | None = None
    load_start: tuple[float, float, float] = field(default_factory=os.getloadavg)


def run(options: Options, database: str, workdir: Path) -> Report:
    wrk = ensure_wrk()
    db_dsn = dsn_for(options.pg, database)
    sa_url = "postgresql+asyncpg://" + db_dsn.split("://", 1)[1]
    print(f"database {database}: migrating ...")
    migrations.upgrade(sa_url)
    started = time.monotonic()
    seeded = asyncio.run(seed(db_dsn, tasks=options.tasks, edges=options.edges))
    print(
        f"seeded {seeded.tasks} tasks, {seeded.edges} edges, {seeded.labels} labels, "
        f"{seeded.epics} epics in {time.monotonic() - started:.1f} s"
    )
    secret = secrets.token_urlsafe(48)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("EPICFLOW_")}
    epicflow_env = {
        **base_env,
        "EPICFLOW_DATABASE_URL": sa_url,
        "EPICFLOW_SECRET_KEY": secret,
        "EPICFLOW_API_RATE_LIMIT": "0",
        "EPICFLOW_AUTH_RATE_LIMIT": "0",
        "EPICFLOW_LOG_LEVEL": "WARNING",
        "EPICFLOW_ACCESS_TOKEN_MINUTES": "120",  # outlives the whole run
    }
    report = Report(options, seeded)
    chosen = [e for e in endpoints(seeded) if not options.only or e.name in options.only]
    log = workdir / "servers.log"

    print(f"\nepicflow, {options.workers} workers, {options.connections} connections:")
    with serving_epicflow(options, options.workers, epicflow_env, log, "epicflow") as server:
        token = login(server.base, seeded)
        load = Load(wrk, options, token, workdir)
        for endpoint in chosen:
            report.results[endpoint.name] = load.measure(
                server, endpoint, seconds=options.duration, profile=options.py_spy is not None
            )

    print(f"\nbaseline (bare ASGI + asyncpg), {options.workers} workers:")
    baseline_env = {
        **base_env,
        "BASELINE_DSN": db_dsn,
        "BASELINE_SECRET_KEY": secret,
        "BASELINE_PROJECT_KEY": seeded.project_key,
    }
    baseline = baseline_server(options.workers, baseline_env, log)
    with running(baseline, options.start_timeout) as server:
        report.baseline = load.measure(server, endpoints(seeded)[0], seconds=options.duration)

    if options.smoke_duration > 0:
        print(f"\nsmoke: epicflow, 1 worker, {options.connections} connections:")
        with serving_epicflow(options, 1, epicflow_env, log, "smoke") as server:
            smoke = endpoints(seeded)[0]
            try:
                load.preflight(server.base, smoke)
            except BenchError as exc:
                raise BenchError(f"{exc}\n--- smoke log:\n{server.tail()}") from exc
            report.smoke = load.run(server.base, smoke, options.smoke_duration, options.connections)
            report.smoke.restarted = server.restarted() or server.proc is None
            if server.proc is not None and server.proc.poll() is not None:
                report.smoke.restarted = True  # the single-process server died
            print(f"  smoke {report.smoke.rps:.1f} req/s, {describe_errors(report.smoke)}")
    return report


# --------------------------------------------------------------------------- report


def verdict(result: Result, target: Target, baseline: Result | None) -> tuple[str, str]:
    if baseline is None or baseline.rps == 0:
        return "-", "n/a"
    ratio = result.rps / baseline.rps
    ok = ratio >= target.ratio and result.clean
    if target.p99_ms is not None and result.p99_ms >= target.p99_ms:
        ok = False
    return f"{ratio:.1%}", "PASS" if ok else "MISS"


def cpu_ratio(result: Result, baseline: Result | None) -> str:
    """Baseline CPU per request over this endpoint's: the rps ratio a CPU-bound server would
    reach on an otherwise idle machine."""
    if baseline is None or not result.cpu_ms_per_request or not baseline.cpu_ms_per_request:
        return "-"
    return f"{baseline.cpu_ms_per_request / result.cpu_ms_per_request:.1%}"


def print_report(report: Report, database: str) -> bool:
    o = report.options
    rule = "=" * 143
    print("\n" + rule)
    print(
        f"epicflow HTTP benchmark — {os.cpu_count()} CPUs, {o.workers} workers, "
        f"{o.connections} connections, wrk -t{o.threads}, {o.duration:g} s after "
        f"{o.warmup:g} s warm-up; db {database}: {report.seeded.tasks} tasks, "
        f"{report.seeded.edges} edges"
    )
    print(
        "load average (1/5/15 min) at start: {:.2f} {:.2f} {:.2f}; at end: {:.2f} {:.2f} {:.2f}"
        " (other processes share these CPUs: compare ratios, not absolute numbers)".format(
            *report.load_start, *os.getloadavg()
        )
    )
    print(rule)
    header = (
        f"{'endpoint':<44} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} "
        f"{'non-2xx':>7} {'errors':>6} {'CPU ms/req':>10} {'rps/base':>8} {'CPU/base':>8} "
        f"{'target (rps/base)':>21} {'':>4}"
    )
    print(header)
    print("-" * len(header))
    all_ok = True
    rows: list[tuple[str, Result, Target | None]] = []
    titles = {e.name: (e.title, e.target) for e in endpoints(report.seeded)}
    for name, result in report.results.items():
        title, target = titles[name]
        rows.append((title, result, target))
    if report.baseline is not None:
        rows.append(("BASELINE bare ASGI list, asyncpg+orjson", report.baseline, None))
    for title, result, target in rows:
        ratio, mark = verdict(result, target, report.baseline) if target else ("100%", "")
        if target and mark != "PASS":
            all_ok = False
        print(
            f"{title:<44} {result.rps:8.1f} {result.p50_ms:8.2f} {result.p90_ms:8.2f} "
            f"{result.p99_ms:8.2f} {result.non_2xx:7d} {result.timeouts + result.socket_errors:6d} "
            f"{result.cpu_ms_per_request:10.2f} {ratio:>8} "
            f"{cpu_ratio(result, report.baseline) if target else '100%':>8} "
            f"{target.describe() if target else 'ceiling':>21} {mark:>4}"
        )
    print("-" * len(header))
    bad = [(t, r) for t, r, _ in rows if not r.clean]
    for title, result in bad:
        print(f"!!! {title}: {describe_errors(result)}")
    if report.smoke is not None:
        smoke_ok = report.smoke.clean
        all_ok = all_ok and smoke_ok
        print(
            f"smoke (1 worker, {o.connections} connections, {o.smoke_duration:g} s, list): "
            f"{'PASS' if smoke_ok else 'FAIL'} — {report.smoke.requests} requests, "
            f"{report.smoke.rps:.1f} req/s, p99 {report.smoke.p99_ms:.1f} ms, "
            f"{describe_errors(report.smoke)}"
        )
    for name in FALLBACKS:
        print(
            f"!!! {name}: `epicflow serve` workers kept being restarted by uvicorn's 5 s health "
            "check; measured through `python -m uvicorn` with the same app and settings instead"
        )
    print(f"overall: {'all targets met' if all_ok else 'TARGETS MISSED (see MISS/FAIL above)'}")
    return all_ok


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per endpoint")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--timeout", type=float, default=5.0, help="wrk request timeout, s")
    parser.add_argument("--smoke-duration", type=float, default=5.0, help="0 skips the smoke")
    add_pg_argument(parser)
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=20_000)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        choices=["list", "list_filtered", "get", "patch", "create"],
        help="measure only this epicflow endpoint (repeatable)",
    )
    parser.add_argument(
        "--py-spy",
        type=Path,
        default=None,
        metavar="DIR",
        help="record one worker per epicflow endpoint with py-spy (raw stacks) into DIR",
    )
    parser.add_argument(
        "--launcher",
        choices=["epicflow", "uvicorn"],
        default="epicflow",
        help="start epicflow with `epicflow serve` (default; falls back to uvicorn if its workers "
        "do not stay up) or directly with `python -m uvicorn`",
    )
    parser.add_argument(
        "--start-timeout", type=float, default=60.0, help="seconds for a server to come up"
    )
    args = parser.parse_args(argv)
    return Options(
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        timeout=args.timeout,
        smoke_duration=args.smoke_duration,
        pg=args.pg,
        tasks=args.tasks,
        edges=args.edges,
        keep_db=args.keep_db,
        py_spy=args.py_spy,
        launcher=args.launcher,
        start_timeout=args.start_timeout,
        only=args.only,
    )


def add_pg_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432"),
        help="PostgreSQL server DSN without a database name (env BENCH_PG)",
    )


def _terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def interrupt_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so servers are stopped and databases dropped."""
    signal.signal(signal.SIGTERM, _terminate)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    interrupt_on_sigterm()
    database = f"epicflow_bench_{secrets.token_hex(4)}"
    asyncio.run(create_database(options.pg, database))
    ok = False
    try:
        with tempfile.TemporaryDirectory(prefix="epicflow-bench-") as tmp:
            report = run(options, database, Path(tmp))
            ok = print_report(report, database)
    except BenchError as exc:
        print(f"\n!!! benchmark failed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; cleaning up", file=sys.stderr)
        return 130
    finally:
        if options.keep_db:
            print(f"kept database {database}")
        else:
            asyncio.run(drop_database(options.pg, database))
            print(f"dropped database {database}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

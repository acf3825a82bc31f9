"""The invariants, read from the project's event feed and the final task states, and from what
the clients were answered. The checks return violations; the same functions judge the real runs
and the deliberately naive claim that proves they can fail.

Order of events. Two events are compared by their position in the feed (`order="feed"`, the
event id) unless asked to use their timestamps (`order="clock"`). Each event is written in the
transaction of the change it records, and a claim only sees changes that committed before it
read them, so whenever one change could have influenced another, the earlier one has the lower
id, on PostgreSQL (ids come from a sequence at INSERT, before COMMIT) and on SQLite (one writer
at a time). A timestamp is the server's `now` for the request, taken when it arrived.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import httpx

from tests.support.stress.project import API, Json, expect
from tests.support.stress.workers import RunLog, parse_time

Order = Literal["feed", "clock"]
CLAIM_EVENTS = frozenset({"claim.acquired", "claim.expired", "claim.released", "task.completed"})


async def _pages(http: httpx.AsyncClient, url: str, headers: Mapping[str, str]) -> list[Json]:
    items: list[Json] = []
    params: dict[str, str | int] = {"limit": 200}
    while True:
        page = expect(await http.get(url, params=params, headers=headers), 200)
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]


async def fetch_events(http: httpx.AsyncClient, headers: Mapping[str, str], key: str) -> list[Json]:
    """The whole project feed, oldest first, following `next_cursor`."""
    return await _pages(http, f"{API}/projects/{key}/events", headers)


async def fetch_tasks(http: httpx.AsyncClient, headers: Mapping[str, str], key: str) -> list[Json]:
    return await _pages(http, f"{API}/projects/{key}/tasks?sort=key", headers)


@dataclass(frozen=True)
class Violation:
    rule: str
    task: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.task}: {self.detail}"


@dataclass
class Interval:
    """One claim in the history: from `claim.acquired` to the event that ended it (if any)."""

    task: str
    worker: str
    start_id: int
    start_at: datetime
    expiry: datetime
    end_id: int | None = None
    end_at: datetime | None = None
    end_type: str | None = None
    end_actor: str | None = None

    def start(self, order: Order) -> float:
        return self.start_id if order == "feed" else self.start_at.timestamp()

    def end(self, order: Order) -> float:
        if self.end_id is None or self.end_at is None:
            return float("inf")
        return self.end_id if order == "feed" else self.end_at.timestamp()

    def overlaps(self, other: Interval, order: Order) -> bool:
        return self.start(order) < other.end(order) and other.start(order) < self.end(order)


def claim_intervals(
    events: Sequence[Mapping[str, Any]],
    extensions: Mapping[tuple[str, str, datetime], datetime] | None = None,
) -> tuple[list[Interval], list[Violation]]:
    """Replay the claim events of each task in feed order. Rule 6 (one live claim per task) and
    the shape of a claim's life are checked here: a claim must end before the next starts, and
    only a live claim can expire, be released or complete (by the worker that holds it)."""
    extensions = extensions or {}
    live: dict[str, Interval] = {}
    intervals: list[Interval] = []
    violations: list[Violation] = []
    for event in sorted(events, key=lambda e: int(e["id"])):
        kind, task = event["type"], event["task"]
        if kind not in CLAIM_EVENTS or task is None:
            continue
        at, data = parse_time(event["created_at"]), event["data"]
        current = live.pop(task, None)
        if kind == "claim.acquired":
            if current is not None:
                live[task] = current
                violations.append(
                    Violation(
                        "one_live_claim",
                        task,
                        f"event {event['id']}: {data['worker']} acquired it while "
                        f"{current.worker}'s claim (event {current.start_id}) was live",
                    )
                )
                current = None  # the new claim is tracked from here on
            acquired = parse_time(data["lease_expires_at"])
            expiry = extensions.get((task, data["worker"], acquired), acquired)
            interval = Interval(task, data["worker"], int(event["id"]), at, expiry)
            live[task] = interval
            intervals.append(interval)
            continue
        if current is None:
            violations.append(
                Violation("claim_life", task, f"event {event['id']}: {kind} without a live claim")
            )
            continue
        current.end_id, current.end_at = int(event["id"]), at
        current.end_type, current.end_actor = kind, event["actor"]
        if kind in {"task.completed", "claim.released"} and data.get("worker") != current.worker:
            violations.append(
                Violation(
                    "claim_life",
                    task,
                    f"event {event['id']}: {kind} by {data.get('worker')}, "
                    f"but the claim was {current.worker}'s",
                )
            )
    return intervals, violations


def _check_completion(
    tasks: Sequence[Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> list[Violation]:
    completions = Counter(e["task"] for e in events if e["type"] == "task.completed")
    violations = [
        Violation("completed_once", task["key"], f"status {task['status']}, not done")
        for task in tasks
        if task["status"] != "done"
    ]
    violations += [
        Violation("completed_once", task["key"], f"{completions[task['key']]} task.completed")
        for task in tasks
        if completions[task["key"]] != 1
    ]
    known = {task["key"] for task in tasks}
    violations += [
        Violation("completed_once", key, "completed, but not in the task list")
        for key in completions
        if key not in known
    ]
    return violations


def _check_dependencies(
    tasks: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    by_task: Mapping[str, list[Interval]],
    order: Order,
) -> list[Violation]:
    """Rule 2: every claim of a task starts after each dependency's `task.completed`."""
    done: dict[str, float] = {}
    for event in events:
        if event["type"] == "task.completed" and event["task"] not in done:
            moment = parse_time(event["created_at"]).timestamp()
            done[event["task"]] = int(event["id"]) if order == "feed" else moment
    violations = []
    for task in tasks:
        for claim in by_task.get(task["key"], []):
            for dependency in task["depends_on"]:
                finished = done.get(dependency, float("inf"))
                if claim.start(order) < finished:
                    violations.append(
                        Violation(
                            "dependencies_first",
                            task["key"],
                            f"{claim.worker}'s claim (event {claim.start_id}, "
                            f"{claim.start_at.isoformat()}) started before {dependency} "
                            "was completed",
                        )
                    )
    return violations


def _overlaps(
    rule: str, left: list[Interval], right: list[Interval], order: Order
) -> list[Violation]:
    return [
        Violation(
            rule,
            a.task,
            f"{a.worker}'s claim (events {a.start_id}-{a.end_id}) overlapped {b.task} "
            f"held by {b.worker} (events {b.start_id}-{b.end_id})",
        )
        for a in left
        for b in right
        if a.overlaps(b, order)
    ]


def _check_exclusion(
    tasks: Sequence[Mapping[str, Any]], by_task: Mapping[str, list[Interval]], order: Order
) -> list[Violation]:
    """Rules 3 and 4: conflicting tasks, and an exclusive task and any other task of its epic,
    never hold claims at the same time."""
    violations = []
    pairs = {tuple(sorted((t["key"], other))) for t in tasks for other in t["conflicts_with"]}
    for a, b in sorted(pairs):
        violations += _overlaps("conflicts_apart", by_task.get(a, []), by_task.get(b, []), order)
    epics: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for task in tasks:
        if task["epic"] is not None:
            epics[task["epic"]].append(task)
    for members in epics.values():
        for solo in (t for t in members if not t["parallel"]):
            for other in members:
                if other["key"] == solo["key"] or (
                    not other["parallel"] and other["key"] < solo["key"]
                ):
                    continue  # two exclusive tasks: compare the pair once
                violations += _overlaps(
                    "exclusive_alone",
                    by_task.get(solo["key"], []),
                    by_task.get(other["key"], []),
                    order,
                )
    return violations


def _check_leases(intervals: Sequence[Interval]) -> list[Violation]:
    """No token outlives its lease: a completion or release happens before the (possibly
    extended) lease ran out; an expiry does not come before it."""
    violations = []
    for claim in intervals:
        if claim.end_at is None:
            continue
        if claim.end_type in {"task.completed", "claim.released"} and claim.end_at >= claim.expiry:
            violations.append(
                Violation(
                    "lease_respected",
                    claim.task,
                    f"{claim.end_type} at {claim.end_at.isoformat()} for {claim.worker}'s claim "
                    f"whose lease ended at {claim.expiry.isoformat()}",
                )
            )
        if claim.end_type == "claim.expired" and claim.end_at < claim.expiry:
            violations.append(
                Violation(
                    "lease_respected",
                    claim.task,
                    f"expired at {claim.end_at.isoformat()}, before its lease ended at "
                    f"{claim.expiry.isoformat()}",
                )
            )
    return violations


def check_history(
    tasks: Sequence[Mapping[str, Any]],
    events: Sequence[Mapping[str, Any]],
    *,
    extensions: Mapping[tuple[str, str, datetime], datetime] | None = None,
    order: Order = "feed",
) -> list[Violation]:
    """Every invariant of a finished run, from the final task states and the event feed:
    each task done and completed exactly once; one live claim per task; no claim before its
    dependencies were completed; conflicting tasks, and an exclusive task and the rest of its
    epic, never claimed at once; every completion within its lease. [] means none broken."""
    intervals, violations = claim_intervals(events, extensions)
    by_task: dict[str, list[Interval]] = defaultdict(list)
    for claim in intervals:
        by_task[claim.task].append(claim)
    return [
        *violations,
        *_check_completion(tasks, events),
        *_check_dependencies(tasks, events, by_task, order),
        *_check_exclusion(tasks, by_task, order),
        *_check_leases(intervals),
    ]


def check_client_log(log: RunLog, events: Sequence[Mapping[str, Any]]) -> list[Violation]:
    """What the clients were answered: a stale token is never accepted (a completion sent after
    the lease the client knew had run out must be refused with `claim_lost`), and every 201
    claim and 200 completion is in the feed, and nothing else is."""
    violations = []
    for claim in log.claims:
        sent = claim.complete_sent_at
        if claim.complete_status == 200 and sent is not None and sent >= claim.lease_expires_at:
            violations.append(
                Violation(
                    "stale_token_refused",
                    claim.task,
                    f"{claim.worker} completed at {sent.isoformat()} with a token whose lease "
                    f"ended at {claim.lease_expires_at.isoformat()}",
                )
            )
        if claim.stalled and (claim.complete_status, claim.complete_code) != (409, "claim_lost"):
            violations.append(
                Violation(
                    "stale_token_refused",
                    claim.task,
                    f"{claim.worker} stalled past its lease and its completion was answered "
                    f"{claim.complete_status} {claim.complete_code}",
                )
            )
    acquired = Counter(e["task"] for e in events if e["type"] == "claim.acquired")
    completed = Counter(e["task"] for e in events if e["type"] == "task.completed")
    claimed = Counter(c.task for c in log.claims)
    finished = Counter(c.task for c in log.claims if c.complete_status == 200)
    for task in sorted(set(acquired) | set(claimed)):
        if acquired[task] != claimed[task]:
            detail = f"{claimed[task]} claims answered 201, {acquired[task]} claim.acquired"
            violations.append(Violation("answers_recorded", task, detail))
    for task in sorted(set(completed) | set(finished)):
        if completed[task] != finished[task]:
            detail = f"{finished[task]} completions answered 200, {completed[task]} recorded"
            violations.append(Violation("answers_recorded", task, detail))
    return violations


def report(violations: Sequence[Violation], limit: int = 25) -> str:
    """The first violations, one a line, for an assertion's message."""
    lines = [str(v) for v in violations[:limit]]
    more = len(violations) - limit
    return "\n".join(lines + ([f"... and {more} more"] if more > 0 else []))


async def history_of(
    http: httpx.AsyncClient, headers: Mapping[str, str], key: str, log: RunLog
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Violation]]:
    """The project's event feed, its final tasks, and every rule they or the clients broke."""
    feed = await fetch_events(http, headers, key)
    tasks = await fetch_tasks(http, headers, key)
    violations = [
        *check_history(tasks, feed, extensions=log.extensions()),
        *check_client_log(log, feed),
    ]
    return feed, tasks, violations

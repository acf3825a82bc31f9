"""What a run was made of and how it went, for the printed summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from tests.support.stress.history import CLAIM_EVENTS, claim_intervals
from tests.support.stress.workers import RunLog, parse_time

SWEEPER = "lease-sweeper"


def describe_project(tasks: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """What the run was made of, from the final task states."""
    return {
        "tasks": len(tasks),
        "dependencies": sum(len(t["depends_on"]) for t in tasks),
        "conflict_pairs": sum(len(t["conflicts_with"]) for t in tasks) // 2,
        "exclusive": sum(not t["parallel"] for t in tasks),
        "epics": len({t["epic"] for t in tasks if t["epic"] is not None}),
    }


def clock_lag(events: Sequence[Mapping[str, Any]]) -> float:
    """How far (seconds) the feed's timestamps run backwards at worst: an event stamped earlier
    than one that committed before it. 0 when timestamps follow the feed order."""
    latest, lag = None, 0.0
    for event in sorted(events, key=lambda e: int(e["id"])):
        at = parse_time(event["created_at"])
        if latest is not None:
            lag = max(lag, (latest - at).total_seconds())
        latest = at if latest is None else max(latest, at)
    return lag


def lease_shortfall(log: RunLog) -> float:
    """The most lease (seconds) a claim had lost by the time its 201 arrived: requested lease
    minus what was left of it then. Waiting and transfer make it a little above 0."""
    return max(
        (
            c.requested_lease - (c.acquired_expiry - c.received_at).total_seconds()
            for c in log.claims
            if c.received_at is not None
        ),
        default=0.0,
    )


def summarize(events: Sequence[Mapping[str, Any]], log: RunLog) -> dict[str, Any]:
    """Counts for the report: claims, expiries (by the sweeper or by a claim), claim_lost
    answers, stalls, and the stalled tasks that somebody else re-claimed and completed; and how
    well the timestamps agree with the feed order (see `check_history(order="clock")`)."""
    kinds = Counter(e["type"] for e in events if e["type"] in CLAIM_EVENTS)
    intervals, _ = claim_intervals(events, log.extensions())
    expired = [c for c in intervals if c.end_type == "claim.expired"]
    reclaimed_by_other = sum(
        any(
            o.task == c.task and o.start_id > c.start_id and o.worker != c.worker for o in intervals
        )
        for c in expired
    )
    return {
        "seconds": round(log.elapsed, 1),
        "claims": kinds["claim.acquired"],
        "completions": kinds["task.completed"],
        "expired": len(expired),
        "expired_by_sweeper": sum(c.end_actor == SWEEPER for c in expired),
        "expired_by_a_claim": sum(c.end_actor != SWEEPER for c in expired),
        "released": kinds["claim.released"],
        "stalls": sum(c.stalled for c in log.claims),
        "reclaimed_by_another_worker": reclaimed_by_other,
        "heartbeats_ok": sum(c.heartbeats.count(200) for c in log.claims),
        "answers": dict(sorted(log.answers.items())),
        "clock_lag_seconds": round(clock_lag(events), 3),
        "lease_shortfall_seconds": round(lease_shortfall(log), 3),
    }

"""a claim, a completion and a release are stamped no earlier than the database's clock

Revision ID: 3c9e5a7f1d28
Revises: 8d3f1b6a2c47
Create Date: 2026-12-07 14:30:00.000000+00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "3c9e5a7f1d28"
down_revision: str | None = "8d3f1b6a2c47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The server passes each call the time its request arrived. A request that then waited in the
# server's event loop reached the database later than one that arrived after it, so a claim
# could be stamped before the completion that made its task ready (the feed's order was right;
# the times were not). Each call now stamps, and judges the lease by, the later of that time
# and the database's clock once it holds what it waits for: a claim after the graph lock, a
# completion after the counts lock, a release as it starts (what a later claim sees of it is
# committed, so stamped, before). A server clock set ahead, as tests set it, still wins.
LATER = "greatest(p_now, clock_timestamp())"
CLAIM_CLOCK = "v_now := p_now + (clock_timestamp() - v_entered);"
CLAIM_CLOCK_NEW = "v_now := greatest(p_now + (clock_timestamp() - v_entered), clock_timestamp());"
COUNTS_LOCK = "PERFORM pg_advisory_xact_lock_shared(1162888771, hashtext(p_project::text));"
RELEASE_START = "BEGIN\n    SELECT t.id, t.claimed_by INTO v_id, v_worker FROM task t"


def _load(name: str) -> ModuleType:
    path = Path(__file__).with_name(name)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replacing(text: str) -> str:
    return text.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _swap(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def _functions() -> list[tuple[str, str]]:
    """(as before, as now) for epicflow_claim_next, epicflow_complete, epicflow_release."""
    skip = _load("2026-11-27_0030_claims_skip_waiting_tasks.py")
    claim = skip._claim_next_of(skip._previous())[1]
    complete = _load("2026-12-07_1300_completions_beside_claims.py")
    completed = _replacing(complete._complete(complete.COUNTS_LOCK))
    release = _replacing(_load("2026-11-27_0415_heartbeat_and_release_in_one_call.py").RELEASE)
    stamp = f"\n    p_now := {LATER};"
    return [
        (claim, _swap(claim, CLAIM_CLOCK, CLAIM_CLOCK_NEW)),
        (completed, _swap(completed, COUNTS_LOCK, COUNTS_LOCK + stamp)),
        (release, _swap(release, RELEASE_START, "BEGIN" + stamp + RELEASE_START[5:])),
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for _before, now in _functions():
            op.execute(now)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for before, _now in _functions():
            op.execute(before)

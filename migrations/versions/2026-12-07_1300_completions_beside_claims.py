"""completions no longer queue behind claims: they share a lock of the counts instead

Revision ID: 8d3f1b6a2c47
Revises: 5b8e2f4a9c31
Create Date: 2026-12-07 13:00:00.000000+00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "8d3f1b6a2c47"
down_revision: str | None = "5b8e2f4a9c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A completion took the project's graph lock for its call, so it queued behind every claim of
# the project, and each of the two waited for the other's commit to reach the disk. What the
# completion needs is narrower: no recount of the unresolved counts may run beside it. It now
# takes the project's *counts lock* (a transaction advisory lock, class 0x45504643, key
# hashtext of the project id) in shared mode; graph writes and a claim's recount take it
# exclusively (epicflow.projects.repository.lock_counts). Completions run beside claims and
# beside each other; a claim that does not see a completion still in flight only leaves its
# task for the next claim.
PROJECT_LOCK = "PERFORM 1 FROM project p WHERE p.id = p_project FOR NO KEY UPDATE;"
COUNTS_LOCK = "PERFORM pg_advisory_xact_lock_shared(1162888771, hashtext(p_project::text));"


def _previous() -> ModuleType:
    path = Path(__file__).with_name("2026-11-27_0030_claims_skip_waiting_tasks.py")
    spec = importlib.util.spec_from_file_location("claims_skip_waiting_tasks", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _complete(lock: str) -> str:
    text = str(_previous().COMPLETE)
    assert text.count(PROJECT_LOCK) == 1
    replaced = text.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    return replaced.replace(PROJECT_LOCK, lock)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_complete(COUNTS_LOCK))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_complete(PROJECT_LOCK))

"""claims skip the tasks that wait on a dependency: a count of unresolved dependencies per task

Revision ID: 4f7b2d9c8e61
Revises: 9a4c2e7b5d13
Create Date: 2026-11-27 00:30:00.000000+00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "4f7b2d9c8e61"
down_revision: str | None = "9a4c2e7b5d13"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A claim walked the claim order through every open task at its head that still waited on a
# dependency (hundreds, in a project worked from the top), probing each one's dependencies.
# `unresolved_deps` counts them, and the claim order's index holds only the open tasks that wait
# on nothing. The count is recomputed with the downstream hours whenever the graph changed
# (`project.graph_stale`, under the graph lock) and lowered by a completion, which on
# PostgreSQL now takes the graph lock too (`epicflow_complete`): a completion and a recount can
# then never interleave so as to leave a count too high. The claim still checks rule 5 in full.
CLAIMABLE = sa.text("status = 'open' AND unresolved_deps = 0")
COUNT = """
UPDATE task SET unresolved_deps = (
    SELECT count(*) FROM task_edge e JOIN task d ON d.id = e.depends_on_id
    WHERE e.task_id = task.id AND d.status NOT IN ('done', 'cancelled')
)
"""

# Run in autocommit: the graph lock first, then each statement on a fresh snapshot (READ
# COMMITTED, a VOLATILE function), so the dependents it reads are those the lock protects.
COMPLETE = """
CREATE FUNCTION epicflow_complete(
    p_project uuid,
    p_key text,
    p_token text,
    p_now timestamptz,
    p_actor text
) RETURNS TABLE (completed_id integer, worker text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_id integer;
    v_worker text;
BEGIN
    PERFORM 1 FROM project p WHERE p.id = p_project FOR NO KEY UPDATE;
    SELECT t.id, t.claimed_by INTO v_id, v_worker FROM task t
    WHERE t.project_id = p_project AND t.key = p_key AND t.claim_token = p_token
      AND t.status = 'in_progress' AND t.lease_expires_at > p_now
      AND NOT EXISTS (
          SELECT 1 FROM task_edge e JOIN task d ON d.id = e.depends_on_id
          WHERE e.task_id = t.id AND d.status <> 'done' AND d.status <> 'cancelled'
      )
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE task SET
        status = 'done',
        claimed_by = NULL,
        claim_token = NULL,
        lease_expires_at = NULL,
        completed_at = p_now,
        version = task.version + 1,
        updated_at = p_now
    WHERE task.id = v_id;
    UPDATE task SET unresolved_deps = task.unresolved_deps - 1
    FROM task_edge e
    WHERE e.depends_on_id = v_id AND task.id = e.task_id;
    INSERT INTO event (project_id, task_key, type, actor, data, created_at)
    VALUES (p_project, p_key, 'task.completed', p_actor, json_build_object('worker', v_worker), p_now);
    RETURN QUERY SELECT v_id, v_worker;
END
$$
"""


def _claim_next_of(previous: ModuleType) -> tuple[str, str]:
    """`epicflow_claim_next` as revision 9a4c2e7b5d13 wrote it, and with the count's test."""
    old = previous.CLAIM_NEXT.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
    where = "AND t.status = 'open'\n"
    assert old.count(where) == 1
    return old, old.replace(where, "AND t.status = 'open' AND t.unresolved_deps = 0\n")


def _previous() -> ModuleType:
    path = Path(__file__).with_name("2026-11-26_2250_claim_next_in_one_call.py")
    spec = importlib.util.spec_from_file_location("claim_next_in_one_call", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.add_column(
        "task", sa.Column("unresolved_deps", sa.Integer(), server_default="0", nullable=False)
    )
    op.execute(COUNT)
    op.drop_index("ix_task_claim_order", table_name="task")
    op.create_index(
        "ix_task_claim_order",
        "task",
        ["project_id", "priority", sa.text("downstream_hours DESC"), "number"],
        unique=False,
        postgresql_where=CLAIMABLE,
        sqlite_where=CLAIMABLE,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_claim_next_of(_previous())[1])
        op.execute(COMPLETE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION epicflow_complete(uuid, text, text, timestamptz, text)")
        op.execute(_claim_next_of(_previous())[0])
    op.drop_index("ix_task_claim_order", table_name="task")
    op.create_index(
        "ix_task_claim_order",
        "task",
        ["project_id", "status", "priority", sa.text("downstream_hours DESC"), "number"],
        unique=False,
    )
    # ALTER TABLE … DROP COLUMN, on SQLite too (3.35+): a batch copy would lose the triggers.
    op.drop_column("task", "unresolved_deps")

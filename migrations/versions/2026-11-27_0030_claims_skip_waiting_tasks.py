"""claims skip the tasks that wait on a dependency: a count of unresolved dependencies per task

Revision ID: 4f7b2d9c8e61
Revises: 9a4c2e7b5d13
Create Date: 2026-11-27 00:30:00.000000+00:00
"""

from collections.abc import Sequence

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

# `epicflow_claim_next` walks only the claim order's index: `t.unresolved_deps = 0` is its
# condition. Each migration carries the whole text of the functions it replaces, as they were
# at that revision, for its upgrade and its downgrade.
CLAIM_NEXT = """
CREATE OR REPLACE FUNCTION epicflow_claim_next(
    p_project uuid,
    p_now timestamptz,
    p_lease_seconds integer,
    p_worker text,
    p_token text,
    p_actor text,
    p_epic text,
    p_labels text[]
) RETURNS TABLE (
    claimed_id integer,
    claimed_key text,
    claimed_at timestamptz,
    claimed_until timestamptz,
    prepare boolean
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_entered timestamptz := clock_timestamp();
    v_stale boolean;
    v_now timestamptz;
    v_until timestamptz;
    v_epic integer;
BEGIN
    SELECT p.graph_stale INTO v_stale FROM project p WHERE p.id = p_project FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    v_now := p_now + (clock_timestamp() - v_entered);
    IF v_stale OR EXISTS (
        SELECT 1 FROM task t
        WHERE t.project_id = p_project AND t.status = 'in_progress'
          AND t.claimed_by IS NOT NULL AND t.lease_expires_at <= v_now
    ) THEN
        RETURN QUERY SELECT NULL::integer, NULL::text, v_now, NULL::timestamptz, true;
        RETURN;
    END IF;
    IF p_epic IS NOT NULL THEN
        SELECT e.id INTO v_epic FROM epic e WHERE e.project_id = p_project AND e.slug = p_epic;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    v_until := v_now + make_interval(secs => p_lease_seconds);
    RETURN QUERY
    WITH took AS (
        UPDATE task SET
            status = 'in_progress',
            claimed_by = p_worker,
            claim_token = p_token,
            lease_expires_at = v_until,
            started_at = coalesce(task.started_at, v_now),
            completed_at = NULL,
            version = task.version + 1,
            updated_at = v_now
        WHERE task.id = (
            SELECT t.id FROM task t
            WHERE t.project_id = p_project
              AND t.status = 'open' AND t.unresolved_deps = 0
              AND (v_epic IS NULL OR t.epic_id = v_epic)
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(p_labels) AS wanted(label)
                  WHERE NOT EXISTS (
                      SELECT 1 FROM task_label l WHERE l.task_id = t.id AND l.label = wanted.label
                  )
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task_edge e JOIN task d ON d.id = e.depends_on_id
                  WHERE e.task_id = t.id AND d.status <> 'done' AND d.status <> 'cancelled'
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task_conflict c JOIN task o ON o.id = c.high_id
                  WHERE c.low_id = t.id AND o.status = 'in_progress'
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task_conflict c JOIN task o ON o.id = c.low_id
                  WHERE c.high_id = t.id AND o.status = 'in_progress'
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task o
                  WHERE o.epic_id = t.epic_id AND o.id <> t.id AND o.status = 'in_progress'
                    AND (NOT t.parallel OR NOT o.parallel)
              )
              AND (t.claimed_by IS NULL OR t.lease_expires_at IS NULL
                   OR t.lease_expires_at <= v_now)
            ORDER BY t.priority, t.downstream_hours DESC, t.number
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        )
        RETURNING task.id, task.key, task.project_id
    ), recorded AS (
        INSERT INTO event (project_id, task_key, type, actor, data, created_at)
        SELECT took.project_id, took.key, 'claim.acquired', p_actor,
               json_build_object('worker', p_worker, 'lease_expires_at', epicflow_isoformat(v_until)),
               v_now
        FROM took
    )
    SELECT took.id, took.key::text, v_now, v_until, false FROM took;
END
$$
"""

# As revision 9a4c2e7b5d13 wrote it.
CLAIM_NEXT_BEFORE = """
CREATE OR REPLACE FUNCTION epicflow_claim_next(
    p_project uuid,
    p_now timestamptz,
    p_lease_seconds integer,
    p_worker text,
    p_token text,
    p_actor text,
    p_epic text,
    p_labels text[]
) RETURNS TABLE (
    claimed_id integer,
    claimed_key text,
    claimed_at timestamptz,
    claimed_until timestamptz,
    prepare boolean
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_entered timestamptz := clock_timestamp();
    v_stale boolean;
    v_now timestamptz;
    v_until timestamptz;
    v_epic integer;
BEGIN
    SELECT p.graph_stale INTO v_stale FROM project p WHERE p.id = p_project FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    v_now := p_now + (clock_timestamp() - v_entered);
    IF v_stale OR EXISTS (
        SELECT 1 FROM task t
        WHERE t.project_id = p_project AND t.status = 'in_progress'
          AND t.claimed_by IS NOT NULL AND t.lease_expires_at <= v_now
    ) THEN
        RETURN QUERY SELECT NULL::integer, NULL::text, v_now, NULL::timestamptz, true;
        RETURN;
    END IF;
    IF p_epic IS NOT NULL THEN
        SELECT e.id INTO v_epic FROM epic e WHERE e.project_id = p_project AND e.slug = p_epic;
        IF NOT FOUND THEN
            RETURN;
        END IF;
    END IF;
    v_until := v_now + make_interval(secs => p_lease_seconds);
    RETURN QUERY
    WITH took AS (
        UPDATE task SET
            status = 'in_progress',
            claimed_by = p_worker,
            claim_token = p_token,
            lease_expires_at = v_until,
            started_at = coalesce(task.started_at, v_now),
            completed_at = NULL,
            version = task.version + 1,
            updated_at = v_now
        WHERE task.id = (
            SELECT t.id FROM task t
            WHERE t.project_id = p_project
              AND t.status = 'open'
              AND (v_epic IS NULL OR t.epic_id = v_epic)
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(p_labels) AS wanted(label)
                  WHERE NOT EXISTS (
                      SELECT 1 FROM task_label l WHERE l.task_id = t.id AND l.label = wanted.label
                  )
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task_edge e JOIN task d ON d.id = e.depends_on_id
                  WHERE e.task_id = t.id AND d.status <> 'done' AND d.status <> 'cancelled'
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task_conflict c JOIN task o ON o.id = c.high_id
                  WHERE c.low_id = t.id AND o.status = 'in_progress'
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task_conflict c JOIN task o ON o.id = c.low_id
                  WHERE c.high_id = t.id AND o.status = 'in_progress'
              )
              AND NOT EXISTS (
                  SELECT 1 FROM task o
                  WHERE o.epic_id = t.epic_id AND o.id <> t.id AND o.status = 'in_progress'
                    AND (NOT t.parallel OR NOT o.parallel)
              )
              AND (t.claimed_by IS NULL OR t.lease_expires_at IS NULL
                   OR t.lease_expires_at <= v_now)
            ORDER BY t.priority, t.downstream_hours DESC, t.number
            LIMIT 1
            FOR UPDATE SKIP LOCKED
        )
        RETURNING task.id, task.key, task.project_id
    ), recorded AS (
        INSERT INTO event (project_id, task_key, type, actor, data, created_at)
        SELECT took.project_id, took.key, 'claim.acquired', p_actor,
               json_build_object('worker', p_worker, 'lease_expires_at', epicflow_isoformat(v_until)),
               v_now
        FROM took
    )
    SELECT took.id, took.key::text, v_now, v_until, false FROM took;
END
$$
"""


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
        op.execute(CLAIM_NEXT)
        op.execute(COMPLETE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION epicflow_complete(uuid, text, text, timestamptz, text)")
        op.execute(CLAIM_NEXT_BEFORE)
    op.drop_index("ix_task_claim_order", table_name="task")
    op.create_index(
        "ix_task_claim_order",
        "task",
        ["project_id", "status", "priority", sa.text("downstream_hours DESC"), "number"],
        unique=False,
    )
    # ALTER TABLE … DROP COLUMN, on SQLite too (3.35+): a batch copy would lose the triggers.
    op.drop_column("task", "unresolved_deps")

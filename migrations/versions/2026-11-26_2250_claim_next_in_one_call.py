"""claim the next ready task in one call (PostgreSQL): the graph lock lasts as long as the call

Revision ID: 9a4c2e7b5d13
Revises: 2e8d4b6f1a37
Create Date: 2026-11-26 22:50:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "9a4c2e7b5d13"
down_revision: str | None = "2e8d4b6f1a37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rule 5 here is the same as `epicflow.tasks.listing.ready_condition` and the claim order the
# same as `ix_task_claim_order`; tests/claims/test_claim_order.py holds every claim to the pure
# graph package's choice. A change of either rule needs a migration that replaces this function.
#
# Run in autocommit, the function takes the project's graph lock, and each statement after it
# reads a fresh snapshot (READ COMMITTED, a VOLATILE function), so readiness is judged on what
# the lock protects; the lock ends with the call. A stale claim order (`graph_stale`) or a lapsed
# lease answers `prepare` and nothing is written: the caller then goes the long way, in a
# transaction. The clock starts at `p_now`, moved on by the time spent waiting for the lock.
CLAIM_NEXT = """
CREATE FUNCTION epicflow_claim_next(
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

# Python's datetime.isoformat() of a UTC time, as the other claim events record it.
ISOFORMAT = """
CREATE FUNCTION epicflow_isoformat(p_at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_part('microseconds', p_at)::bigint % 1000000 = 0 THEN ''
                ELSE to_char(p_at AT TIME ZONE 'UTC', '.US') END
        || '+00:00'
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(ISOFORMAT)
    op.execute(CLAIM_NEXT)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "DROP FUNCTION epicflow_claim_next(uuid, timestamptz, integer, text, text, text, text, text[])"
    )
    op.execute("DROP FUNCTION epicflow_isoformat(timestamptz)")

"""a claim, a completion and a release are stamped no earlier than the database's clock

Revision ID: 3c9e5a7f1d28
Revises: 8d3f1b6a2c47
Create Date: 2026-12-07 14:30:00.000000+00:00
"""

from collections.abc import Sequence

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
    v_now := greatest(p_now + (clock_timestamp() - v_entered), clock_timestamp());
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
COMPLETE = """
CREATE OR REPLACE FUNCTION epicflow_complete(
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
    PERFORM pg_advisory_xact_lock_shared(1162888771, hashtext(p_project::text));
    p_now := greatest(p_now, clock_timestamp());
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
RELEASE = """
CREATE OR REPLACE FUNCTION epicflow_release(
    p_project uuid,
    p_key text,
    p_token text,
    p_now timestamptz,
    p_actor text
) RETURNS TABLE (released_id integer, worker text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_id integer;
    v_worker text;
BEGIN
    p_now := greatest(p_now, clock_timestamp());
    SELECT t.id, t.claimed_by INTO v_id, v_worker FROM task t
    WHERE t.project_id = p_project AND t.key = p_key AND t.claim_token = p_token
      AND t.status = 'in_progress' AND t.lease_expires_at > p_now
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE task SET
        status = 'open',
        claimed_by = NULL,
        claim_token = NULL,
        lease_expires_at = NULL,
        completed_at = NULL,
        version = task.version + 1,
        updated_at = p_now
    WHERE task.id = v_id;
    INSERT INTO event (project_id, task_key, type, actor, data, created_at)
    VALUES (p_project, p_key, 'claim.released', p_actor, json_build_object('worker', v_worker), p_now);
    RETURN QUERY SELECT v_id, v_worker;
END
$$
"""

# As they were before: epicflow_claim_next as 4f7b2d9c8e61 wrote it, epicflow_complete as
# 8d3f1b6a2c47 did and epicflow_release as e7a4c2d9b6f1 did.
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
COMPLETE_BEFORE = """
CREATE OR REPLACE FUNCTION epicflow_complete(
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
    PERFORM pg_advisory_xact_lock_shared(1162888771, hashtext(p_project::text));
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
RELEASE_BEFORE = """
CREATE OR REPLACE FUNCTION epicflow_release(
    p_project uuid,
    p_key text,
    p_token text,
    p_now timestamptz,
    p_actor text
) RETURNS TABLE (released_id integer, worker text)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
    v_id integer;
    v_worker text;
BEGIN
    SELECT t.id, t.claimed_by INTO v_id, v_worker FROM task t
    WHERE t.project_id = p_project AND t.key = p_key AND t.claim_token = p_token
      AND t.status = 'in_progress' AND t.lease_expires_at > p_now
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE task SET
        status = 'open',
        claimed_by = NULL,
        claim_token = NULL,
        lease_expires_at = NULL,
        completed_at = NULL,
        version = task.version + 1,
        updated_at = p_now
    WHERE task.id = v_id;
    INSERT INTO event (project_id, task_key, type, actor, data, created_at)
    VALUES (p_project, p_key, 'claim.released', p_actor, json_build_object('worker', v_worker), p_now);
    RETURN QUERY SELECT v_id, v_worker;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in (CLAIM_NEXT, COMPLETE, RELEASE):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in (CLAIM_NEXT_BEFORE, COMPLETE_BEFORE, RELEASE_BEFORE):
            op.execute(statement)

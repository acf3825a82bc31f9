"""completions no longer queue behind claims: they share a lock of the counts instead

Revision ID: 8d3f1b6a2c47
Revises: 5b8e2f4a9c31
Create Date: 2026-12-07 13:00:00.000000+00:00
"""

from collections.abc import Sequence

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

# As revision 4f7b2d9c8e61 wrote it: under the project's graph lock.
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


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(COMPLETE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(COMPLETE_BEFORE)

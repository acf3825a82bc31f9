"""heartbeat and release as PL/pgSQL calls, so they too answer their task in their statement

Revision ID: e7a4c2d9b6f1
Revises: c3d9a1e5f7b2
Create Date: 2026-11-27 04:15:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e7a4c2d9b6f1"
down_revision: str | None = "c3d9a1e5f7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A heartbeat and a release were a statement each, with the caller's access read before and the
# task's view read after: three round trips. As functions they join the caller's access and
# `epicflow_task_view` in one statement (claims.one_call), like a claim and a completion: a
# data-changing CTE could not be followed by the view, whose snapshot would not see its write.
# Each writes what the statements did: the conditional UPDATE fenced by the claim token and a
# live lease; a release also records `claim.released` with the worker that held the claim.
EXTEND = """
CREATE FUNCTION epicflow_extend(
    p_project uuid,
    p_key text,
    p_token text,
    p_now timestamptz,
    p_until timestamptz
) RETURNS TABLE (extended_id integer)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    UPDATE task SET
        lease_expires_at = p_until,
        version = task.version + 1,
        updated_at = p_now
    WHERE task.project_id = p_project AND task.key = p_key AND task.claim_token = p_token
      AND task.status = 'in_progress' AND task.lease_expires_at > p_now
    RETURNING task.id;
END
$$
"""
RELEASE = """
CREATE FUNCTION epicflow_release(
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
        op.execute(EXTEND)
        op.execute(RELEASE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION epicflow_release(uuid, text, text, timestamptz, text)")
        op.execute("DROP FUNCTION epicflow_extend(uuid, text, text, timestamptz, timestamptz)")

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

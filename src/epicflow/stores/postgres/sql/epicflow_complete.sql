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
    PERFORM pg_advisory_xact_lock_shared({{counts_lock_class}}, hashtext(p_project::text));
    p_now := greatest(p_now, clock_timestamp());
    SELECT t.id, t.claimed_by INTO v_id, v_worker FROM task t
    WHERE t.project_id = p_project AND t.key = p_key AND t.claim_token = p_token
      AND t.status = 'in_progress' AND t.lease_expires_at > p_now
      AND {{no_unresolved_dependency}}
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

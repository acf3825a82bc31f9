CREATE OR REPLACE FUNCTION epicflow_extend(
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

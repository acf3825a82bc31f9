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
              AND t.unresolved_deps = 0
              AND (v_epic IS NULL OR t.epic_id = v_epic)
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(p_labels) AS wanted(label)
                  WHERE NOT EXISTS (
                      SELECT 1 FROM task_label l WHERE l.task_id = t.id AND l.label = wanted.label
                  )
              )
              AND {{ready_condition}}
            ORDER BY {{claim_order}}
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

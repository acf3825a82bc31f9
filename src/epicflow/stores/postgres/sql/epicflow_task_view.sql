CREATE OR REPLACE FUNCTION epicflow_task_view(p_id integer, p_now timestamptz)
RETURNS TABLE (
    id integer,
    key varchar,
    slug varchar,
    title varchar,
    status varchar,
    priority integer,
    assignee_id uuid,
    description text,
    tdd_requirements text,
    technical_details text,
    acceptance_criteria text,
    definition_of_done text,
    links text,
    estimate_size varchar,
    estimate_hours double precision,
    parallel boolean,
    claimed_by varchar,
    lease_expires_at timestamptz,
    version integer,
    created_at timestamptz,
    updated_at timestamptz,
    started_at timestamptz,
    completed_at timestamptz,
    labels varchar[],
    depends_on varchar[],
    blocked_by varchar[],
    conflicts_with varchar[],
    ready boolean,
    waiting_on text,
    held text
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT
        task.id, task.key::varchar, epic.slug::varchar, task.title::varchar,
        task.status::varchar, task.priority, task.assignee_id, task.description,
        task.tdd_requirements, task.technical_details,
        task.acceptance_criteria::text, task.definition_of_done::text, task.links::text,
        task.estimate_size::varchar, task.estimate_hours, task.parallel,
        task.claimed_by::varchar, task.lease_expires_at, task.version, task.created_at,
        task.updated_at, task.started_at, task.completed_at,
        (
            SELECT coalesce(array_agg(task_label.label ORDER BY task_label.label), '{}')
            FROM task_label
            WHERE task_label.task_id = task.id
        )::varchar[],
        edges.depends_on::varchar[],
        edges.blocked_by::varchar[],
        (
            SELECT coalesce(array_agg(partner.key ORDER BY partner.number), '{}')
            FROM task AS partner
            WHERE partner.id IN (
                SELECT task_conflict.high_id FROM task_conflict
                WHERE task_conflict.low_id = task.id
                UNION ALL
                SELECT task_conflict.low_id FROM task_conflict
                WHERE task_conflict.high_id = task.id
            )
        )::varchar[],
        {{ready_flag}},
        {{waiting_on}},
        {{held}}
    FROM task
    LEFT OUTER JOIN epic ON epic.id = task.epic_id
    JOIN LATERAL (
        SELECT
            coalesce(array_agg(dep.key ORDER BY dep.number), '{}') AS depends_on,
            coalesce(
                array_agg(dep.key ORDER BY dep.number)
                    FILTER (WHERE {{unresolved_dependency}}),
                '{}'
            ) AS blocked_by,
            count(*) FILTER (WHERE {{unresolved_dependency}})
                AS open_deps
        FROM task_edge
        JOIN task AS dep ON dep.id = task_edge.depends_on_id
        WHERE task_edge.task_id = task.id
    ) AS edges ON true
    WHERE task.id = p_id;
END
$$

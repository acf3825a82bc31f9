"""PostgreSQL's functions as their files render them: rule 5 and the counts lock from Python

Revision ID: 6a1d8c3e5b90
Revises: 3c9e5a7f1d28
Create Date: 2026-12-07 23:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6a1d8c3e5b90"
down_revision: str | None = "3c9e5a7f1d28"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The current text of each function lives in epicflow/stores/postgres/sql/, where the rules it
# shares with Python are placeholders filled from their Python definition (rule 5 from
# epicflow.tasks.readiness, the counts lock's class from the PostgreSQL store's locks). Three
# functions read differently once rendered, with the same meaning: the claim's rule 5 (one test
# of conflicting tasks for both directions of a pair), the completion's test of unresolved
# dependencies and the task view's readiness. This migration installs them as rendered;
# tests/stores/test_postgres_functions.py holds these texts to the files.
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
              AND t.unresolved_deps = 0
              AND (v_epic IS NULL OR t.epic_id = v_epic)
              AND NOT EXISTS (
                  SELECT 1 FROM unnest(p_labels) AS wanted(label)
                  WHERE NOT EXISTS (
                      SELECT 1 FROM task_label l WHERE l.task_id = t.id AND l.label = wanted.label
                  )
              )
              AND t.status = 'open' AND NOT (EXISTS (SELECT 1
                      FROM task_edge JOIN task AS task_1 ON task_1.id = task_edge.depends_on_id
                      WHERE task_edge.task_id = t.id AND task_1.status != 'cancelled' AND task_1.status != 'done')) AND NOT (EXISTS (SELECT 1
                      FROM task_conflict JOIN task AS task_2 ON task_conflict.low_id = t.id AND task_2.id = task_conflict.high_id OR task_conflict.high_id = t.id AND task_2.id = task_conflict.low_id
                      WHERE task_2.status = 'in_progress')) AND NOT (EXISTS (SELECT 1
                      FROM task AS task_3
                      WHERE task_3.epic_id = t.epic_id AND task_3.id != t.id AND task_3.status = 'in_progress' AND (t.parallel = false OR task_3.parallel = false))) AND (t.claimed_by IS NULL OR t.lease_expires_at IS NULL OR t.lease_expires_at <= v_now)
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
      AND NOT (EXISTS (SELECT 1
              FROM task_edge JOIN task AS task_1 ON task_1.id = task_edge.depends_on_id
              WHERE task_edge.task_id = t.id AND task_1.status != 'cancelled' AND task_1.status != 'done'))
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
TASK_VIEW = """
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
    ready boolean
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT
        task.id, task.key::varchar, epic.slug::varchar, task.title::varchar,
        task.status::varchar, task.priority, task.assignee_id, task.description,
        task.tdd_requirements, task.technical_details,
        task.acceptance_criteria::text, task.definition_of_done::text,
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
        task.status = 'open' AND edges.open_deps = 0 AND NOT (EXISTS (SELECT 1
            FROM task_conflict JOIN task AS task_1 ON task_conflict.low_id = task.id AND task_1.id = task_conflict.high_id OR task_conflict.high_id = task.id AND task_1.id = task_conflict.low_id
            WHERE task_1.status = 'in_progress')) AND NOT (EXISTS (SELECT 1
            FROM task AS task_2
            WHERE task_2.epic_id = task.epic_id AND task_2.id != task.id AND task_2.status = 'in_progress' AND (task.parallel = false OR task_2.parallel = false))) AND (task.claimed_by IS NULL OR task.lease_expires_at IS NULL OR task.lease_expires_at <= p_now)
    FROM task
    LEFT OUTER JOIN epic ON epic.id = task.epic_id
    JOIN LATERAL (
        SELECT
            coalesce(array_agg(dep.key ORDER BY dep.number), '{}') AS depends_on,
            coalesce(
                array_agg(dep.key ORDER BY dep.number)
                    FILTER (WHERE dep.status != 'cancelled' AND dep.status != 'done'),
                '{}'
            ) AS blocked_by,
            count(*) FILTER (WHERE dep.status != 'cancelled' AND dep.status != 'done')
                AS open_deps
        FROM task_edge
        JOIN task AS dep ON dep.id = task_edge.depends_on_id
        WHERE task_edge.task_id = task.id
    ) AS edges ON true
    WHERE task.id = p_id;
END
$$
"""

# As they were before: epicflow_claim_next and epicflow_complete as 3c9e5a7f1d28 wrote them,
# epicflow_task_view as c3d9a1e5f7b2 did.
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
TASK_VIEW_BEFORE = """
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
    ready boolean
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT
        task.id, task.key::varchar, epic.slug::varchar, task.title::varchar,
        task.status::varchar, task.priority, task.assignee_id, task.description,
        task.tdd_requirements, task.technical_details,
        task.acceptance_criteria::text, task.definition_of_done::text,
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
        task.status = 'open'
        AND edges.open_deps = 0
        AND NOT EXISTS (
            SELECT 1
            FROM task_conflict
            JOIN task AS other
              ON task_conflict.low_id = task.id AND other.id = task_conflict.high_id
              OR task_conflict.high_id = task.id AND other.id = task_conflict.low_id
            WHERE other.status = 'in_progress'
        )
        AND NOT EXISTS (
            SELECT 1
            FROM task AS other
            WHERE other.epic_id = task.epic_id AND other.id != task.id
              AND other.status = 'in_progress'
              AND (task.parallel = false OR other.parallel = false)
        )
        AND (task.claimed_by IS NULL OR task.lease_expires_at IS NULL
             OR task.lease_expires_at <= p_now)
    FROM task
    LEFT OUTER JOIN epic ON epic.id = task.epic_id
    JOIN LATERAL (
        SELECT
            coalesce(array_agg(dep.key ORDER BY dep.number), '{}') AS depends_on,
            coalesce(
                array_agg(dep.key ORDER BY dep.number)
                    FILTER (WHERE dep.status != 'done' AND dep.status != 'cancelled'),
                '{}'
            ) AS blocked_by,
            count(*) FILTER (WHERE dep.status != 'done' AND dep.status != 'cancelled')
                AS open_deps
        FROM task_edge
        JOIN task AS dep ON dep.id = task_edge.depends_on_id
        WHERE task_edge.task_id = task.id
    ) AS edges ON true
    WHERE task.id = p_id;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in (TASK_VIEW, CLAIM_NEXT, COMPLETE):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in (TASK_VIEW_BEFORE, CLAIM_NEXT_BEFORE, COMPLETE_BEFORE):
            op.execute(statement)

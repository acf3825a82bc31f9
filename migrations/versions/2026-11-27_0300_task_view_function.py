"""the task view as a PostgreSQL function: claims and completions answer their task in one call

Revision ID: c3d9a1e5f7b2
Revises: 4f7b2d9c8e61
Create Date: 2026-11-27 03:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3d9a1e5f7b2"
down_revision: str | None = "4f7b2d9c8e61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A claim and a completion each read their task's view back in a statement of its own after
# their call: a round trip that cost as much as the call. Joined LATERAL to the call, this
# function answers the view in the same statement. It is VOLATILE, so it reads on a snapshot of
# its own, taken after the call has written (a STABLE or inlined function would see the task as
# it was before the claim), and PL/pgSQL, so its plan is kept for the connection.
#
# It answers what `epicflow.tasks.views.view_query("postgresql", checklists_as_text=True)`
# answers, column for column; tests/tasks/test_view_function.py holds the two equal, so a change
# of the view needs a migration that replaces this function.
TASK_VIEW = """
CREATE FUNCTION epicflow_task_view(p_id integer, p_now timestamptz)
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
        op.execute(TASK_VIEW)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION epicflow_task_view(integer, timestamptz)")

"""Tasks carry links: the branch, pull request or build that belongs to each (SPEC 10.4)

Revision ID: 6e2a9c4b1d37
Revises: 5c1d8e3f7a20
Create Date: 2026-12-08 13:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6e2a9c4b1d37"
down_revision: str | None = "5c1d8e3f7a20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# `task.links`, a JSON list of `{url, title}`; epicflow_task_view answers it after the
# checklists, as text. A function's result type cannot be replaced, so it is dropped and
# created again. The texts are rendered from epicflow/stores/postgres/sql/epicflow_task_view.sql;
# tests/stores/test_postgres_functions.py holds the migrated database to that file.
DROP = "DROP FUNCTION IF EXISTS epicflow_task_view(integer, timestamptz)"
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
        task.status = 'open' AND edges.open_deps = 0 AND NOT (EXISTS (SELECT 1
            FROM task_conflict JOIN task AS task_1 ON task_conflict.low_id = task.id AND task_1.id = task_conflict.high_id OR task_conflict.high_id = task.id AND task_1.id = task_conflict.low_id
            WHERE task_1.status = 'in_progress')) AND NOT (EXISTS (SELECT 1
            FROM task AS task_2
            WHERE task_2.epic_id = task.epic_id AND task_2.id != task.id AND task_2.status = 'in_progress' AND (task.parallel = false OR task_2.parallel = false))) AND (task.claimed_by IS NULL OR task.lease_expires_at IS NULL OR task.lease_expires_at <= p_now),
        (SELECT coalesce(CAST(json_agg(json_build_object('key', waiting.key, 'reason', waiting.reason) ORDER BY waiting.rank, waiting.number) AS TEXT), '[]') AS coalesce_1
            FROM (SELECT task_1.key AS key, 'dependency' AS reason, 0 AS rank, task_1.number AS number
            FROM task_edge JOIN task AS task_1 ON task_1.id = task_edge.depends_on_id
            WHERE task_edge.task_id = task.id AND task_1.status != 'cancelled' AND task_1.status != 'done' AND task.status = 'open' UNION ALL SELECT task_2.key AS key, 'conflict' AS reason, 1 AS rank, task_2.number AS number
            FROM task_conflict JOIN task AS task_2 ON task_conflict.low_id = task.id AND task_2.id = task_conflict.high_id OR task_conflict.high_id = task.id AND task_2.id = task_conflict.low_id
            WHERE task_2.status = 'in_progress' AND task.status = 'open' UNION ALL SELECT task_3.key AS key, 'exclusive' AS reason, 2 AS rank, task_3.number AS number
            FROM task AS task_3
            WHERE task_3.epic_id = task.epic_id AND task_3.id != task.id AND task_3.status = 'in_progress' AND (task.parallel = false OR task_3.parallel = false) AND task.status = 'open') AS waiting),
        CASE WHEN (task.status != 'in_progress') THEN NULL WHEN (task.claimed_by IS NULL) THEN 'manual' WHEN (task.claimed_by IS NULL OR task.lease_expires_at IS NULL OR task.lease_expires_at <= p_now) THEN NULL ELSE 'claim' END
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
            WHERE task_2.epic_id = task.epic_id AND task_2.id != task.id AND task_2.status = 'in_progress' AND (task.parallel = false OR task_2.parallel = false))) AND (task.claimed_by IS NULL OR task.lease_expires_at IS NULL OR task.lease_expires_at <= p_now),
        (SELECT coalesce(CAST(json_agg(json_build_object('key', waiting.key, 'reason', waiting.reason) ORDER BY waiting.rank, waiting.number) AS TEXT), '[]') AS coalesce_1
            FROM (SELECT task_1.key AS key, 'dependency' AS reason, 0 AS rank, task_1.number AS number
            FROM task_edge JOIN task AS task_1 ON task_1.id = task_edge.depends_on_id
            WHERE task_edge.task_id = task.id AND task_1.status != 'cancelled' AND task_1.status != 'done' AND task.status = 'open' UNION ALL SELECT task_2.key AS key, 'conflict' AS reason, 1 AS rank, task_2.number AS number
            FROM task_conflict JOIN task AS task_2 ON task_conflict.low_id = task.id AND task_2.id = task_conflict.high_id OR task_conflict.high_id = task.id AND task_2.id = task_conflict.low_id
            WHERE task_2.status = 'in_progress' AND task.status = 'open' UNION ALL SELECT task_3.key AS key, 'exclusive' AS reason, 2 AS rank, task_3.number AS number
            FROM task AS task_3
            WHERE task_3.epic_id = task.epic_id AND task_3.id != task.id AND task_3.status = 'in_progress' AND (task.parallel = false OR task_3.parallel = false) AND task.status = 'open') AS waiting),
        CASE WHEN (task.status != 'in_progress') THEN NULL WHEN (task.claimed_by IS NULL) THEN 'manual' WHEN (task.claimed_by IS NULL OR task.lease_expires_at IS NULL OR task.lease_expires_at <= p_now) THEN NULL ELSE 'claim' END
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


def upgrade() -> None:
    op.add_column("task", sa.Column("links", sa.JSON(), server_default="[]", nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP)
        op.execute(TASK_VIEW)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(DROP)
        op.execute(TASK_VIEW_BEFORE)
    with op.batch_alter_table("task") as batch:
        batch.drop_column("links")

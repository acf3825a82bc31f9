"""PostgreSQL: each task row carries its labels as an array, kept by triggers from task_label

Revision ID: 5b8e2f4a9c31
Revises: e7a4c2d9b6f1
Create Date: 2026-11-27 05:45:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b8e2f4a9c31"
down_revision: str | None = "e7a4c2d9b6f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A page of tasks aggregated each task's labels from task_label (a subquery per row), and a
# label filter probed task_label once for every task it walked past: a page of open tasks with
# one label walked some 360 entries of the status index, each a visit to the task's row and a
# probe of task_label. With the labels on the row, and the status index covering the id and the
# labels, that walk reads the index alone.
#
# task_label stays what every write changes (the API, the import, cascades); statement-level
# triggers bring `label_array` up to date after each statement that touched it, in the order
# the view shows (`ORDER BY label`). A trigger first locks the rows of the tasks it refreshes,
# then reads task_label in a statement of its own: under READ COMMITTED that statement's
# snapshot sees every label written by a transaction that refreshed the same task before it.
# A row already right is left alone, so a write that fills the array itself costs no second
# row version.
REFRESH = """
CREATE FUNCTION epicflow_refresh_label_array(p_ids integer[]) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM 1 FROM task WHERE id = ANY(p_ids) ORDER BY id FOR NO KEY UPDATE;
    UPDATE task t SET label_array = l.labels
    FROM (
        SELECT c.id, coalesce(
            (SELECT array_agg(x.label ORDER BY x.label) FROM task_label x WHERE x.task_id = c.id),
            '{}'
        ) AS labels
        FROM unnest(p_ids) AS c(id)
    ) l
    WHERE t.id = l.id AND t.label_array IS DISTINCT FROM l.labels;
END
$$
"""
# A trigger with transition tables fires for one kind of event only.
ON_WRITE = """
CREATE FUNCTION epicflow_label_rows_written() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM epicflow_refresh_label_array(ARRAY(SELECT DISTINCT task_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM epicflow_refresh_label_array(ARRAY(SELECT DISTINCT task_id FROM old_rows));
    ELSE
        PERFORM epicflow_refresh_label_array(ARRAY(
            SELECT task_id FROM old_rows UNION SELECT task_id FROM new_rows
        ));
    END IF;
    RETURN NULL;
END
$$
"""
TRIGGERS = (
    "CREATE TRIGGER task_label_inserted AFTER INSERT ON task_label "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION epicflow_label_rows_written()",
    "CREATE TRIGGER task_label_deleted AFTER DELETE ON task_label "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION epicflow_label_rows_written()",
    "CREATE TRIGGER task_label_updated AFTER UPDATE ON task_label "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION epicflow_label_rows_written()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE task ADD COLUMN label_array varchar(50)[] NOT NULL DEFAULT '{}'")
    op.execute(
        "UPDATE task t SET label_array = l.labels FROM ("
        " SELECT task_id, array_agg(label ORDER BY label) AS labels FROM task_label"
        " GROUP BY task_id) l WHERE t.id = l.task_id"
    )
    op.execute(REFRESH)
    op.execute(ON_WRITE)
    for trigger in TRIGGERS:
        op.execute(trigger)
    # A one-status page sorted by priority walks this index in order; with the id and the
    # labels in it, the walk and a label filter need no visit to the table.
    op.execute("DROP INDEX ix_task_project_status_priority")
    op.execute(
        "CREATE INDEX ix_task_project_status_priority ON task "
        "(project_id, status, priority, number) INCLUDE (id, label_array)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_task_project_status_priority")
    op.execute(
        "CREATE INDEX ix_task_project_status_priority ON task "
        "(project_id, status, priority, number)"
    )
    for name in ("task_label_inserted", "task_label_deleted", "task_label_updated"):
        op.execute(f"DROP TRIGGER {name} ON task_label")
    op.execute("DROP FUNCTION epicflow_label_rows_written()")
    op.execute("DROP FUNCTION epicflow_refresh_label_array(integer[])")
    op.execute("ALTER TABLE task DROP COLUMN label_array")

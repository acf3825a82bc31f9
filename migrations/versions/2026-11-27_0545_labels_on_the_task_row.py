"""PostgreSQL: each task row carries a copy of its labels, in order, as an array

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
# task_label stays the labels' record; every write to it also brings `label_array` up to date
# in the same transaction (`tasks.repository.refresh_label_arrays`; the one-statement create
# fills it as it inserts). Not a trigger: a statement-level trigger on task_label cost a create
# 0.2-0.3 ms more of PostgreSQL time, inside the project counter's lock.


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE task ADD COLUMN label_array varchar(50)[] NOT NULL DEFAULT '{}'")
    op.execute(
        "UPDATE task t SET label_array = l.labels FROM ("
        " SELECT task_id, array_agg(label ORDER BY label) AS labels FROM task_label"
        " GROUP BY task_id) l WHERE t.id = l.task_id"
    )
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
    op.execute("ALTER TABLE task DROP COLUMN label_array")

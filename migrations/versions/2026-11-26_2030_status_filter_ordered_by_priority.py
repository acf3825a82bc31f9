"""the status index also orders by priority: open tasks by priority is the usual board

Revision ID: 7c3f1a9e5d20
Revises: 5b0e7d2c9a41
Create Date: 2026-11-26 20:30:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c3f1a9e5d20"
down_revision: str | None = "5b0e7d2c9a41"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # (project_id, status) is a prefix of the new index, which also hands a one-status list
    # sorted by priority over in order instead of filtering the priority index.
    op.drop_index("ix_task_project_status", table_name="task")
    op.create_index(
        "ix_task_project_status_priority",
        "task",
        ["project_id", "status", "priority", "number"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_task_project_status_priority", table_name="task")
    op.create_index("ix_task_project_status", "task", ["project_id", "status"], unique=False)

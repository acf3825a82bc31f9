"""running tasks in partial indexes: a claim or a completion stops updating whole-table indexes

Revision ID: 2e8d4b6f1a37
Revises: 7c3f1a9e5d20
Create Date: 2026-11-26 22:15:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2e8d4b6f1a37"
down_revision: str | None = "7c3f1a9e5d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RUNNING = sa.text("status = 'in_progress'")
CLAIMED = sa.text("claimed_by IS NOT NULL")


def _partial(name: str, columns: list[str], where: sa.TextClause) -> None:
    op.create_index(name, "task", columns, unique=False, postgresql_where=where, sqlite_where=where)


def upgrade() -> None:
    # The sweep and rules 3 and 4 only ever look for running tasks. Indexing every task by
    # (status, lease) and (epic, status) cost each claim and completion index entries, and
    # left the running-task lookups wading through the dead entries of tasks that had moved on.
    op.drop_index("ix_task_lease", table_name="task")
    op.drop_index("ix_task_epic_status", table_name="task")
    _partial("ix_task_running_lease", ["lease_expires_at"], RUNNING)
    _partial("ix_task_running_epic", ["epic_id"], RUNNING)
    # Filters ask for one holder; unclaimed tasks need no entry.
    op.drop_index("ix_task_project_claimed_by", table_name="task")
    _partial("ix_task_project_claimed_by", ["project_id", "claimed_by"], CLAIMED)


def downgrade() -> None:
    op.drop_index("ix_task_project_claimed_by", table_name="task")
    op.create_index(
        "ix_task_project_claimed_by", "task", ["project_id", "claimed_by"], unique=False
    )
    op.drop_index("ix_task_running_epic", table_name="task")
    op.drop_index("ix_task_running_lease", table_name="task")
    op.create_index("ix_task_epic_status", "task", ["epic_id", "status"], unique=False)
    op.create_index("ix_task_lease", "task", ["status", "lease_expires_at"], unique=False)

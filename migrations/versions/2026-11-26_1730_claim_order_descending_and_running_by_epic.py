"""claim order index walks downstream hours descending; running tasks indexed by epic

Revision ID: 5b0e7d2c9a41
Revises: 19cfdd4ba142
Create Date: 2026-11-26 17:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b0e7d2c9a41"
down_revision: str | None = "19cfdd4ba142"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CLAIM_ORDER = ["project_id", "status", "priority", "downstream_hours", "number"]


def upgrade() -> None:
    # Rule 4 asks, for each task it checks, which tasks of the same epic are running.
    op.create_index("ix_task_epic_status", "task", ["epic_id", "status"], unique=False)
    # Claims order by downstream hours descending: an ascending index made every claim sort
    # the project's open tasks instead of stopping at the first ready one.
    op.drop_index("ix_task_claim_order", table_name="task")
    descending = [
        sa.text("downstream_hours DESC") if c == "downstream_hours" else c for c in CLAIM_ORDER
    ]
    op.create_index("ix_task_claim_order", "task", descending, unique=False)


def downgrade() -> None:
    op.drop_index("ix_task_claim_order", table_name="task")
    op.create_index("ix_task_claim_order", "task", CLAIM_ORDER, unique=False)
    op.drop_index("ix_task_epic_status", table_name="task")

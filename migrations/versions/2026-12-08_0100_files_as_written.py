"""epic and task sources keep the file's bytes as imported, and the check that says whether
export may write them back

Revision ID: 9b2e4f6a8c10
Revises: 6a1d8c3e5b90
Create Date: 2026-12-08 01:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9b2e4f6a8c10"
down_revision: str | None = "6a1d8c3e5b90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("task_source", "epic_source")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("written", sa.LargeBinary(), nullable=True))
        op.add_column(table, sa.Column("written_check", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("written_check")
            batch.drop_column("written")

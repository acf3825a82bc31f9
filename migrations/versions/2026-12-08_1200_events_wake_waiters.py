"""Every committed event notifies the server processes, which wake the claims waiting for work

Revision ID: 5c1d8e3f7a20
Revises: 455ed134844c
Create Date: 2026-12-08 12:00:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5c1d8e3f7a20"
down_revision: str | None = "455ed134844c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL only: a statement-level trigger on `event` sends NOTIFY epicflow_events with the
# project id (SQLite's server processes check the newest event id instead). The function's
# text is rendered from epicflow/stores/postgres/sql/epicflow_event_notify.sql;
# tests/stores/test_postgres_functions.py holds the migrated database to that file.
NOTIFY = """
CREATE OR REPLACE FUNCTION epicflow_event_notify()
RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- One notification per project whose events a statement wrote, sent on the channel
    -- `epicflow_events` when the transaction commits (identical ones of a transaction fold
    -- into one): every server process that listens wakes the requests waiting on the project.
    -- A claim taken makes no other task claimable, and a notifying commit queues behind every
    -- other one (PostgreSQL's notification queue lock): claims, serial per project, send none.
    PERFORM pg_notify('epicflow_events', written.project_id::text)
    FROM (SELECT DISTINCT project_id FROM added WHERE type <> 'claim.acquired') AS written;
    RETURN NULL;
END
$$
"""
TRIGGER = """
CREATE TRIGGER event_notify AFTER INSERT ON event
REFERENCING NEW TABLE AS added
FOR EACH STATEMENT EXECUTE FUNCTION epicflow_event_notify()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTIFY)
        op.execute(TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_notify ON event")
        op.execute("DROP FUNCTION IF EXISTS epicflow_event_notify()")

"""The PostgreSQL store."""

from __future__ import annotations

from epicflow.stores.base import Store
from epicflow.stores.postgres.claims import PostgresClaimStore
from epicflow.stores.postgres.locks import PostgresProjectStore
from epicflow.stores.postgres.task_writes import PostgresTaskStore
from epicflow.stores.postgres.watch import PostgresEventWatch

POSTGRES = Store(
    tasks=PostgresTaskStore(),
    claims=PostgresClaimStore(),
    projects=PostgresProjectStore(),
    watch=PostgresEventWatch(),
)

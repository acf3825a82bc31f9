"""Which store each engine gets, and the one place a `Database` is made with it."""

from __future__ import annotations

from collections.abc import Mapping

from epicflow.platform.db import Database
from epicflow.platform.engines import Engine, engine_of_url
from epicflow.stores.base import Store
from epicflow.stores.postgres import POSTGRES
from epicflow.stores.sqlite import SQLITE

STORES: Mapping[Engine, Store] = {Engine.POSTGRESQL: POSTGRES, Engine.SQLITE: SQLITE}


def open_database(url: str, *, pool_size: int = 10) -> Database:
    """The database at `url` with its engine's store; `UnsupportedDatabase` for an engine
    epicflow does not run on."""
    return Database(url, pool_size=pool_size, store=STORES[engine_of_url(url)])


def store_for(db: Database) -> Store:
    """The store `db` was opened with."""
    return STORES[db.kind]

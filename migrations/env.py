"""Async Alembic environment; batch mode on SQLite so ALTERs work there too."""

from __future__ import annotations

import asyncio
import logging.config
from collections.abc import Callable
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from epicflow.platform.db import make_engine
from epicflow.platform.models import UTCDateTime
from epicflow.registry import metadata
from epicflow.settings import get_settings

config = context.config
if config.config_file_name and config.attributes.get("configure_logger", True):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or get_settings().database_url


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy types, so migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Dialect-specific objects created by hand in the migrations: full-text search, and
# PostgreSQL's copy of each task's labels on its row.
_HAND_MADE = ("task_fts", "ix_task_search", "label_array")


# SQLite's reflection does not report an index column's direction, so an index with a
# descending column always looks changed there; PostgreSQL compares it in full.
_DESCENDING = ("ix_task_claim_order",)


def _include_name(name: str | None, _type: str, _parent: Any) -> bool:
    return not (name and name.startswith(_HAND_MADE))


def _include_object_for(dialect: str) -> Callable[[Any, str | None, str, bool, Any], bool]:
    hidden = _DESCENDING if dialect == "sqlite" else ()

    def include(_object: Any, name: str | None, _type: str, _reflected: bool, _to: Any) -> bool:
        return name not in hidden

    return include


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_name=_include_name,
        include_object=_include_object_for(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    asyncio.run(_run_async())


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()

"""The database engines epicflow runs on. A URL naming any other is refused before anything
connects, with one line that says what is supported."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncSession


class Engine(StrEnum):
    """An engine, by the name SQLAlchemy gives its dialect."""

    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


class UnsupportedDatabase(ValueError):
    """The database URL names an engine epicflow does not run on."""


SUPPORTED = "PostgreSQL (postgresql://…) and SQLite (sqlite:///…)"


def engine_of_url(url: str) -> Engine:
    """The engine `url` names; `UnsupportedDatabase` for any other, or for no URL at all."""
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        raise UnsupportedDatabase(
            f"EPICFLOW_DATABASE_URL is not a database URL; epicflow runs on {SUPPORTED}."
        ) from None
    try:
        return Engine(backend)
    except ValueError:
        raise UnsupportedDatabase(
            f"EPICFLOW_DATABASE_URL names {backend!r}; epicflow runs on {SUPPORTED}."
        ) from None


def engine_of(session: AsyncSession) -> Engine:
    """The engine a session talks to."""
    return Engine(session.bind.dialect.name)

"""PostgreSQL's event watch: LISTEN on one connection per process, outside the pool.

The trigger `event_notify` (stores/postgres/sql/epicflow_event_notify.sql) sends a
notification with the project's id when a transaction that recorded events of it commits; the
notification reaches every listening process. A lost connection is opened again after a
pause, and every waiter is woken then, since notifications sent meanwhile are gone.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from epicflow.platform.db import Database
from epicflow.platform.wakeups import Wakeups

CHANNEL = "epicflow_events"
RECONNECT_SECONDS = 1.0
log = logging.getLogger(__name__)


def _dsn(db: Database) -> str:
    url = make_url(db.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class PostgresEventWatch:
    async def run(self, db: Database, wakeups: Wakeups) -> None:
        while True:
            try:
                await _listen(_dsn(db), wakeups)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
                log.warning("listening for events failed", exc_info=True)
            await asyncio.sleep(RECONNECT_SECONDS)


async def _listen(dsn: str, wakeups: Wakeups) -> None:
    """Listen until the connection is lost."""
    lost = asyncio.Event()

    def notified(_connection: Any, _pid: int, _channel: str, payload: str) -> None:
        wakeups.wake(uuid.UUID(payload))

    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        connection.add_termination_listener(lambda _connection: lost.set())
        await connection.add_listener(CHANNEL, notified)
        for project_id in wakeups.watched():  # what was sent while nobody listened
            wakeups.wake(project_id)
        await lost.wait()
    finally:
        await connection.close(timeout=1)

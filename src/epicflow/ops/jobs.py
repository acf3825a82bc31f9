"""Periodic work each server process runs: the lease sweep, and an hourly purge of stored
Idempotency-Key answers older than their 24 h retention."""

from __future__ import annotations

import asyncio
import logging
import time

from epicflow.claims.jobs import sweep_expired_leases
from epicflow.platform.clock import Clock
from epicflow.platform.db import Database
from epicflow.platform.idempotency import purge_expired

log = logging.getLogger("epicflow.jobs")
PURGE_EVERY_SECONDS = 3600.0


async def purge_idempotency_records(db: Database, clock: Clock) -> None:
    async with db.sessionmaker() as session:
        await db.begin_locking(session)
        await purge_expired(session, clock())
        await session.commit()


async def run_periodic_jobs(db: Database, clock: Clock, interval: float) -> None:
    """Forever: sweep leases every `interval` seconds, purge hourly; failures are logged and
    retried on the next round (a database outage must not end the loop)."""
    last_purge = float("-inf")
    while True:
        await asyncio.sleep(interval)
        try:
            await sweep_expired_leases(db, clock)
            if time.monotonic() - last_purge >= PURGE_EVERY_SECONDS:
                await purge_idempotency_records(db, clock)
                last_purge = time.monotonic()
        except Exception as exc:
            log.warning(
                "periodic job failed", extra={"job": "periodic", "error": type(exc).__name__}
            )

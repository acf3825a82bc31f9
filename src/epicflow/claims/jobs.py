"""The lease sweeper: returns tasks whose lease ran out to `open`, recording `claim.expired`.

It runs in every server process; concurrent sweeps are safe because each expiry is one
conditional UPDATE that only one of them can win.
"""

from __future__ import annotations

import logging

from epicflow.claims.repository import expire_leases
from epicflow.events import service as events
from epicflow.platform.clock import Clock
from epicflow.platform.db import Database

log = logging.getLogger("epicflow.jobs")
SWEEPER = "lease-sweeper"


async def sweep_expired_leases(db: Database, clock: Clock) -> int:
    """One sweep in its own transaction; returns how many leases expired."""
    now = clock()
    async with db.sessionmaker() as session:
        await db.begin_locking(session)
        expired = await expire_leases(session, now)
        for item in expired:
            await events.record(
                session,
                project_id=item.project_id,
                task_key=item.key,
                type="claim.expired",
                actor=SWEEPER,
                now=now,
                data={"worker": item.worker},
            )
        await session.commit()
    if expired:
        log.info("leases expired", extra={"job": SWEEPER, "count": len(expired)})
    return len(expired)

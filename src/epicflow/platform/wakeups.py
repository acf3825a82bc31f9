"""Waking requests that wait for a project to change.

One `Wakeups` per process. A request that waits takes a `Ticket` for its project (at most
`limit` at once), tries its work, and if there is none waits on the ticket. The engine's watch
(`stores.base.EventWatch`, started in the app's lifespan) calls `wake(project_id)` when events
of that project were committed, by this process or any other; `close()` at shutdown wakes every
waiter for good. Taking the ticket before trying the work means a commit between the try and
the wait is never missed. Nothing here holds a database connection.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

from fastapi import Depends, Request
from prometheus_client import Gauge

from epicflow.platform.errors import Unavailable

WAITING = Gauge("epicflow_waiting_requests", "Requests of this process waiting for work now")


class Ticket:
    """One waiting request's place: set when its project changed, or at shutdown."""

    __slots__ = ("_changed", "_hub", "project_id")

    def __init__(self, hub: Wakeups, project_id: uuid.UUID) -> None:
        self._hub = hub
        self._changed = asyncio.Event()
        self.project_id = project_id

    def rearm(self) -> None:
        """Forget earlier wake-ups: call before trying the work again."""
        self._changed.clear()

    def wake(self) -> None:
        self._changed.set()

    async def wait(self, seconds: float) -> bool:
        """Whether the project changed (or shutdown came) within `seconds`."""
        if self._hub.closed:
            return False
        self._hub.parked += 1
        WAITING.inc()
        try:
            await asyncio.wait_for(self._changed.wait(), seconds)
        except TimeoutError:
            return False
        finally:
            self._hub.parked -= 1
            WAITING.dec()
        return not self._hub.closed


class Wakeups:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.closed = False
        self._waiting: dict[uuid.UUID, set[Ticket]] = {}
        self._count = 0
        self.parked = 0  # how many of them wait right now (the rest are trying their work)

    @property
    def count(self) -> int:
        """How many requests hold a ticket."""
        return self._count

    def watched(self) -> list[uuid.UUID]:
        """The projects someone waits on."""
        return list(self._waiting)

    @contextmanager
    def ticket(self, project_id: uuid.UUID) -> Iterator[Ticket]:
        """A place among the waiters of `project_id`; 503 when `limit` requests already wait."""
        if self._count >= self.limit:
            raise Unavailable(
                f"{self.limit} requests already wait for work here; try again later.",
                code="too_many_waiters",
            )
        ticket = Ticket(self, project_id)
        self._waiting.setdefault(project_id, set()).add(ticket)
        self._count += 1
        try:
            yield ticket
        finally:
            self._count -= 1
            waiting = self._waiting[project_id]
            waiting.discard(ticket)
            if not waiting:
                del self._waiting[project_id]

    def wake(self, project_id: uuid.UUID) -> None:
        """Events of `project_id` were committed: its waiters try again."""
        for ticket in self._waiting.get(project_id, ()):
            ticket.wake()

    def close(self) -> None:
        """Shutdown: every waiter answers now, and nobody waits from here on."""
        self.closed = True
        for tickets in self._waiting.values():
            for ticket in tickets:
                ticket.wake()


def get_wakeups(request: Request) -> Wakeups:
    wakeups: Wakeups = request.app.state.wakeups
    return wakeups


async def _wakeups(request: Request) -> Wakeups:
    return get_wakeups(request)  # async: a plain `def` dependency would run in a thread


WakeupsDep = Annotated[Wakeups, Depends(_wakeups)]


SHUTDOWN_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def closed_on_shutdown_signals(wakeups: Wakeups) -> Iterator[None]:
    """Close `wakeups` as soon as a shutdown signal arrives, then let the server's own handler
    run. The server waits for running requests before the app's lifespan ends, so closing
    there would keep a waiting request, and the shutdown, for the rest of its wait."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach the main thread only; the lifespan's end closes it then
        return
    loop = asyncio.get_running_loop()
    previous = {sig: signal.getsignal(sig) for sig in SHUTDOWN_SIGNALS}

    def on_signal(sig: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(wakeups.close)
        handler = previous[signal.Signals(sig)]
        if callable(handler):
            handler(sig, frame)
        else:  # the default action (or none): as if we had not been here
            signal.signal(sig, handler)
            signal.raise_signal(sig)

    for sig in SHUTDOWN_SIGNALS:
        signal.signal(sig, on_signal)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

"""Building very large object graphs (a 100,000-task plan) without the cyclic collector."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_holders = 0


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs.

    Loading and planning a whole project allocates hundreds of thousands of objects that live
    until the answer is sent; the collector would re-scan them over and over (a quarter of the
    time of a 100,000-task plan). Reference counting still frees everything; cycles wait for
    the end of the block. Nested and concurrent blocks (several requests at once) share one
    pause, which ends with the last of them.
    """
    global _holders  # noqa: PLW0603 - one pause per process, counted
    if _holders == 0:
        gc.disable()
    _holders += 1
    try:
        yield
    finally:
        _holders -= 1
        if _holders == 0:
            gc.enable()


# Young-generation collections after this many more container objects allocated than freed
# (CPython's default is 700). A request's objects die by reference count; a collection every
# 700 net allocations mostly walks the objects of requests still in flight.
YOUNG_THRESHOLD = 10_000


def settle_after_startup() -> None:
    """Take what a serving process built at startup (modules, the app, its routes and
    statements) out of the cyclic collector's view, and collect young objects less often.

    Under load the collector took 10-15 % of a worker's CPU, most of it full collections that
    walked the ~180,000 startup objects again and again, each pausing every request in flight
    for 0.2 s. `gc.freeze` moves the live objects to a generation the collector never scans
    (what is built later is still collected); collecting the garbage first keeps it from being
    frozen with them.
    """
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)

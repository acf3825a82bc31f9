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

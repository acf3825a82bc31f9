"""The collector pause of whole-project reads: shared by overlapping requests, always undone."""

from __future__ import annotations

import asyncio
import gc

import pytest

from epicflow.platform.memory import collector_paused


def test_pauses_the_collector_for_the_block_only() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_still_ends_the_pause() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()


async def test_overlapping_requests_share_one_pause() -> None:
    first_in = asyncio.Event()
    first_may_end = asyncio.Event()

    async def first() -> None:
        with collector_paused():
            first_in.set()
            await first_may_end.wait()

    async def second() -> bool:
        await first_in.wait()
        with collector_paused():
            first_may_end.set()
            await asyncio.sleep(0.01)  # the first request ends while this one still runs
            return gc.isenabled()

    _, enabled_inside_second = await asyncio.gather(first(), second())
    assert enabled_inside_second is False
    assert gc.isenabled()

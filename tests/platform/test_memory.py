"""The collector pause of whole-project reads: shared by overlapping requests, always undone."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from epicflow.main import create_app
from epicflow.platform.memory import YOUNG_THRESHOLD, collector_paused
from tests.support.settings import make_settings


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


@pytest.fixture
def restored_collector() -> Iterator[None]:
    """The test process's collector as it was, whatever a test froze or set."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.mark.usefixtures("restored_collector")
@pytest.mark.parametrize("freeze", [True, False])
async def test_a_serving_process_freezes_its_startup_objects(
    database_url: str, freeze: bool
) -> None:
    """Once started, the objects the app built are out of the collector's view and young
    objects are collected less often; `EPICFLOW_GC_FREEZE=false` leaves the collector alone."""
    app = create_app(make_settings(database_url, gc_freeze=freeze, lease_sweep_seconds=0))
    gc.unfreeze()
    before = gc.get_threshold()
    async with app.router.lifespan_context(app):
        assert (gc.get_freeze_count() > 0) is freeze
        assert gc.get_threshold()[0] == (YOUNG_THRESHOLD if freeze else before[0])

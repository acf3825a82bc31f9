"""`KeyedLocks`: one asyncio lock per key, dropped once nobody holds or waits for it."""

from __future__ import annotations

import asyncio

from epicflow.platform.keyed_locks import KeyedLocks


async def test_holders_of_one_key_take_turns_in_arrival_order() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    order: list[str] = []
    first_inside = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with locks.hold("P"):
            order.append("first in")
            first_inside.set()
            await release_first.wait()
            order.append("first out")

    async def later(name: str) -> None:
        async with locks.hold("P"):
            order.append(f"{name} in")
            order.append(f"{name} out")

    running = asyncio.create_task(first())
    await first_inside.wait()
    waiting = [asyncio.create_task(later(name)) for name in ("second", "third")]
    await asyncio.sleep(0)  # both queue behind the first
    assert order == ["first in"]
    release_first.set()
    await asyncio.gather(running, *waiting)
    assert order == [
        "first in",
        "first out",
        "second in",
        "second out",
        "third in",
        "third out",
    ]
    assert len(locks) == 0


async def test_other_keys_do_not_wait() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    async with locks.hold("P"):
        async with asyncio.timeout(5):  # would hang, not fail, if "Q" waited for "P"
            async with locks.hold("Q"):
                assert len(locks) == 2
    assert len(locks) == 0


async def test_a_holder_that_fails_or_is_cancelled_lets_the_next_one_in() -> None:
    locks: KeyedLocks[str] = KeyedLocks()
    try:
        async with locks.hold("P"):
            raise ValueError("boom")
    except ValueError:
        pass
    inside = asyncio.Event()

    async def stuck() -> None:
        async with locks.hold("P"):
            inside.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(stuck())
    await inside.wait()
    waiter = asyncio.create_task(locks.hold("P").__aenter__())
    await asyncio.sleep(0)
    waiter.cancel()  # a waiter that gives up leaves no trace
    task.cancel()
    await asyncio.gather(task, waiter, return_exceptions=True)
    assert len(locks) == 0
    async with asyncio.timeout(5):
        async with locks.hold("P"):
            pass
    assert len(locks) == 0

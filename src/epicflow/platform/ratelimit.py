"""Rate limits per endpoint group, kept in memory or shared through Redis."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from redis.asyncio import ConnectionPool

from epicflow.platform.errors import RateLimited


def _parse(rule: str) -> RateLimitItem | None:
    return None if rule.strip() in {"", "0"} else parse(rule)


class RateLimits:
    """Budgets for login, register and the rest of the API; a rule of `0` turns one off."""

    def __init__(
        self,
        *,
        auth_rule: str,
        api_rule: str,
        redis_url: str | None,
        key_prefix: str = "epicflow",
    ) -> None:
        self._pool: ConnectionPool | None = None
        self.storage: Storage = MemoryStorage()
        if redis_url:
            # Our own pool, so that shutdown can close it; limits types its options narrowly.
            self._pool = ConnectionPool.from_url(redis_url)
            self.storage = RedisStorage(
                _redis_uri(redis_url),
                implementation="redispy",
                key_prefix=key_prefix,
                connection_pool=self._pool,  # type: ignore[arg-type]
            )
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.auth = _parse(auth_rule)
        self.api = _parse(api_rule)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()

    async def hit(self, item: RateLimitItem | None, *identifiers: str) -> None:
        if item is None:
            return
        if await self.limiter.hit(item, *identifiers):
            return
        stats = await self.limiter.get_window_stats(item, *identifiers)
        raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())))

    async def hit_auth(self, group: str, *identifiers: str) -> None:
        await self.hit(self.auth, group, *identifiers)

    async def hit_api(self, caller: str) -> None:
        await self.hit(self.api, "api", caller)


def _redis_uri(url: str) -> str:
    return url if url.startswith("async+") else "async+" + url

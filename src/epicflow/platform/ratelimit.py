"""Rate limits per endpoint group, kept in memory or shared through Redis."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from epicflow.platform.errors import RateLimited


def _parse(rule: str) -> RateLimitItem | None:
    return None if rule.strip() in {"", "0"} else parse(rule)


class RateLimits:
    """Budgets for login, register and the rest of the API; a rule of `0` turns one off."""

    def __init__(self, *, auth_rule: str, api_rule: str, redis_url: str | None) -> None:
        self.storage: Storage = (
            RedisStorage(_redis_uri(redis_url), implementation="redispy", key_prefix="epicflow")
            if redis_url
            else MemoryStorage()
        )
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.auth = _parse(auth_rule)
        self.api = _parse(api_rule)

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

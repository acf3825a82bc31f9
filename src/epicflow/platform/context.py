"""Per-application services that routes reach through dependency injection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from epicflow.platform.clock import Clock
from epicflow.platform.ratelimit import RateLimits
from epicflow.settings import Settings


@dataclass(slots=True)
class AppContext:
    settings: Settings
    secret_key: str
    clock: Clock
    rate_limits: RateLimits

    @property
    def access_lifetime(self) -> timedelta:
        return timedelta(minutes=self.settings.access_token_minutes)

    @property
    def refresh_lifetime(self) -> timedelta:
        return timedelta(days=self.settings.refresh_token_days)

    def now(self) -> datetime:
        return self.clock()


async def get_context(request: Request) -> AppContext:
    # async: FastAPI runs a plain `def` dependency in a worker thread, a costly hop per request.
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]

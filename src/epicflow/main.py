"""The application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import ORJSONResponse
from starlette.routing import Route

from epicflow.api import api_router
from epicflow.auth.security import use_test_hashing
from epicflow.mcp.http import McpEndpoint
from epicflow.ops.jobs import run_periodic_jobs
from epicflow.ops.routes import router as ops_router
from epicflow.platform.clock import Clock, utcnow
from epicflow.platform.context import AppContext
from epicflow.platform.http_errors import install_error_handlers
from epicflow.platform.logging import configure_logging
from epicflow.platform.memory import settle_after_startup
from epicflow.platform.middleware import BodyLimitMiddleware, RequestContextMiddleware
from epicflow.platform.ratelimit import RateLimits
from epicflow.platform.wakeups import Wakeups, closed_on_shutdown_signals
from epicflow.settings import Settings, get_settings, resolve_secret_key
from epicflow.stores.choice import open_database, store_for

IMPORT_SUFFIX = "/import"


def create_app(settings: Settings | None = None, *, clock: Clock = utcnow) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    if settings.env == "test":
        use_test_hashing()
    db = open_database(settings.database_url, pool_size=settings.db_pool_size)
    wakeups = Wakeups(settings.max_waiters)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sweeper = None
        if settings.lease_sweep_seconds > 0:
            sweeper = asyncio.create_task(
                run_periodic_jobs(db, clock, settings.lease_sweep_seconds)
            )
        watch = asyncio.create_task(store_for(db).watch.run(db, wakeups))
        if settings.gc_freeze:
            settle_after_startup()
        with closed_on_shutdown_signals(wakeups):
            async with mcp.running():
                yield
        wakeups.close()
        for job in (sweeper, watch):
            if job is not None:
                job.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job
        await app.state.context.rate_limits.close()
        await db.dispose()

    app = FastAPI(
        title="epicflow",
        version="0.1.0",
        summary="Epics of small, dependent tasks, run in parallel safely.",
        default_response_class=ORJSONResponse,
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.wakeups = wakeups
    app.state.context = AppContext(
        settings=settings,
        secret_key=resolve_secret_key(settings),
        clock=clock,
        rate_limits=RateLimits(
            auth_rule=settings.auth_rate_limit,
            api_rule=settings.api_rate_limit,
            redis_url=settings.redis_url,
        ),
    )
    install_error_handlers(app)
    mcp = McpEndpoint(app, settings.mcp_allowed_hosts, settings.mcp_allowed_origins)
    app.router.routes.append(Route("/mcp", mcp, methods=["GET", "POST", "DELETE"]))
    app.include_router(ops_router)
    app.include_router(api_router)

    def body_limit(path: str) -> int:
        return (
            settings.max_import_bytes if path.endswith(IMPORT_SUFFIX) else settings.max_body_bytes
        )

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Request-ID", "Retry-After"],
        )
    app.add_middleware(BodyLimitMiddleware, limit_for=body_limit)
    app.add_middleware(RequestContextMiddleware)
    return app

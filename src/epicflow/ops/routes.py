"""Liveness, readiness and Prometheus metrics, at the root (not under /api/v1)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from epicflow.platform.db import DatabaseDep
from epicflow.platform.schema import schema_revision

router = APIRouter(tags=["health"])
log = logging.getLogger("epicflow.health")


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get(
    "/health/ready",
    responses={503: {"description": "The database is unreachable or not migrated to head"}},
)
async def ready(db: DatabaseDep) -> JSONResponse:
    """Ready to serve: the database answers and its schema is at the newest migration."""
    from epicflow.platform.migrations import head_revision  # noqa: PLC0415 - slow to import

    expected = head_revision()
    try:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            revision = await schema_revision(connection)
    except Exception as exc:  # any failure to reach the database means "not ready"
        log.warning("readiness check failed", extra={"error": type(exc).__name__})
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    if revision != expected:
        return JSONResponse(
            {"status": "unavailable", "database": "schema_not_at_head", "revision": revision},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    return JSONResponse({"status": "ok", "revision": revision})


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    """Request counts and latency histograms by route template, method and status."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

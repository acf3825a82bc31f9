"""The ceiling for the task list on this machine: a bare ASGI app, no FastAPI, no SQLAlchemy.

It does the irreducible work of `GET /api/v1/projects/{key}/tasks?limit=50`: check the same
HS256 bearer JWT that epicflow issues (PyJWT), fetch the same 50 task rows through an asyncpg pool
and answer them as JSON (orjson). Served by the same uvicorn, with the same worker count, as
epicflow in the benchmark.

Configuration (environment): BASELINE_DSN (a plain postgresql:// DSN), BASELINE_SECRET_KEY (the
epicflow signing key) and BASELINE_PROJECT_KEY. Run as
`uvicorn baseline_app:create_app --factory --app-dir bench`.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import asyncpg
import jwt
import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TASK_SQL = (
    "SELECT id, key, number, epic_id, title, status, priority, assignee_id, description,"
    " tdd_requirements, technical_details, acceptance_criteria, definition_of_done,"
    " estimate_size, estimate_hours, parallel, claimed_by, lease_expires_at, version,"
    " created_at, updated_at, started_at, completed_at"
    " FROM task WHERE project_id = $1 ORDER BY number LIMIT 50"
)
JSON_HEADERS = [(b"content-type", b"application/json")]


async def _init_connection(conn: asyncpg.Connection) -> None:
    await conn.set_type_codec(
        "json", encoder=_dumps_text, decoder=orjson.loads, schema="pg_catalog"
    )


def _dumps_text(value: Any) -> str:
    return orjson.dumps(value).decode()


class Baseline:
    def __init__(self, dsn: str, secret_key: str, project_key: str) -> None:
        self.dsn = dsn
        self.secret_key = secret_key
        self.project_key = project_key
        self.list_path = f"/api/v1/projects/{project_key}/tasks"
        self.pool: asyncpg.Pool | None = None
        self.project_id: uuid.UUID | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/health/ready":
            await _respond(send, 200, b'{"status":"ok"}')
        elif path == self.list_path and scope["method"] == "GET":
            await self._list(scope, send)
        else:
            await _respond(send, 404, b'{"detail":"not found"}')

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(
                    self.dsn, min_size=10, max_size=20, init=_init_connection
                )
                self.project_id = await self.pool.fetchval(
                    "SELECT id FROM project WHERE key = $1", self.project_key
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() != "bearer":
                    return False
                try:
                    claims = jwt.decode(
                        token,
                        self.secret_key,
                        algorithms=["HS256"],
                        options={"require": ["exp", "iat", "sub"]},
                    )
                except jwt.PyJWTError:
                    return False
                return bool(claims.get("typ") == "access")
        return False

    async def _list(self, scope: Scope, send: Send) -> None:
        if not self._authorized(scope):
            await _respond(send, 401, b'{"detail":"not authenticated"}')
            return
        assert self.pool is not None
        rows = await self.pool.fetch(TASK_SQL, self.project_id)
        items = [dict(row) for row in rows]
        page = {"items": items, "next_cursor": None}
        body = orjson.dumps(page, default=str, option=orjson.OPT_UTC_Z)
        await _respond(send, 200, body)


async def _respond(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": JSON_HEADERS})
    await send({"type": "http.response.body", "body": body})


def create_app() -> Baseline:
    return Baseline(
        os.environ["BASELINE_DSN"],
        os.environ["BASELINE_SECRET_KEY"],
        os.environ.get("BASELINE_PROJECT_KEY", "BENCH"),
    )

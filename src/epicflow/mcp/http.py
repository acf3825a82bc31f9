"""`/mcp`: the tools over streamable HTTP (stateless, JSON answers) inside the API server.

A request needs the API's credential (a bearer API token or access token), checked by asking the
API who it names; otherwise 401 with `WWW-Authenticate: Bearer`. Hosts and origins outside the
configured lists are refused by the SDK's transport checks (421, 403).

The tools reach the API in-process through an httpx ASGI transport to this same app, forwarding
the caller's credential: no second network hop, nothing to configure about the address the server
is bound to or the proxies in front of it, and every call still passes the API's middleware, rate
limits (per credential) and rules."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from mcp.server.mcpserver import Context
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from epicflow.client import ApiClient, ApiError
from epicflow.mcp.stdio import default_worker
from epicflow.mcp.tools import Caller, build_server

SELF_URL = "http://epicflow.internal"
PROBLEM = "application/problem+json"


class MemoryClaims:
    """Claim tokens per credential, in this process."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str], str] = {}
        self.owner = ""

    def for_credential(self, credential: str) -> MemoryClaims:
        view = MemoryClaims()
        view._tokens = self._tokens
        view.owner = hashlib.sha256(credential.encode()).hexdigest()
        return view

    def claim_token(self, task: str) -> str | None:
        return self._tokens.get((self.owner, task))

    def keep_claim(self, task: str, token: str) -> None:
        self._tokens[(self.owner, task)] = token

    def drop_claim(self, task: str) -> None:
        self._tokens.pop((self.owner, task), None)


def _bearer(headers: dict[str, str] | object) -> str | None:
    raw = headers.get("authorization") if isinstance(headers, dict) else None
    scheme, _, credential = (raw or "").partition(" ")
    return credential.strip() or None if scheme.lower() == "bearer" else None


class McpEndpoint:
    """The ASGI app served at `/mcp`; `running()` belongs in the API's lifespan."""

    def __init__(self, api: ASGIApp, hosts: list[str], origins: list[str]) -> None:
        self._transport = httpx.ASGITransport(app=api)
        claims = MemoryClaims()
        worker = default_worker()

        def connect(ctx: Context) -> Caller:
            request = ctx.request_context.request
            assert isinstance(request, Request), "an HTTP tool call carries its request"
            credential = _bearer(dict(request.headers)) or ""
            api_client = ApiClient(SELF_URL, credential, transport=self._transport)
            return Caller(api_client, claims.for_credential(credential), worker)

        security = TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)
        self._sessions = StreamableHTTPSessionManager(
            app=build_server(connect)._lowlevel_server,
            stateless=True,
            json_response=True,
            security_settings=security,
        )

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        async with self._sessions.run():
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        credential = _bearer(dict(Request(scope).headers))
        refused = await self._refusal(credential)
        if refused is not None:
            await _unauthorized(refused, send)
            return
        await self._sessions.handle_request(scope, receive, send)

    async def _refusal(self, credential: str | None) -> str | None:
        """Why the credential is not accepted, or None when the API accepts it."""
        if not credential:
            return "Authentication required."
        async with ApiClient(SELF_URL, credential, transport=self._transport) as api:
            try:
                await api.me()
            except ApiError as error:
                if error.status == 401:
                    return error.detail
                raise
        return None


async def _unauthorized(detail: str, send: Send) -> None:
    body = json.dumps(
        {"title": "Unauthorized", "status": 401, "detail": detail, "code": "not_authenticated"}
    ).encode()
    headers = [
        (b"content-type", PROBLEM.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"www-authenticate", b'Bearer realm="epicflow"'),
    ]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})

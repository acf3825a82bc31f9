"""`epicflow mcp`: the tools over stdio, as the worker logged in with `epicflow login`
(`EPICFLOW_URL`, `EPICFLOW_TOKEN` or the stored credential). Claim tokens are kept in the same
state file as the worker's command line, so `epicflow heartbeat` and the tools share them."""

from __future__ import annotations

import socket

import anyio
from mcp.server.mcpserver import Context

from epicflow.client import ApiClient, ClientConfig
from epicflow.mcp.tools import Caller, build_server


def default_worker() -> str:
    return f"mcp@{socket.gethostname() or 'localhost'}"


def serve_stdio(config: ClientConfig) -> None:
    token = config.token()
    worker = default_worker()

    def connect(_ctx: Context) -> Caller:
        return Caller(api=ApiClient(config.url, token), claims=config, worker=worker)

    anyio.run(build_server(connect).run_stdio_async)

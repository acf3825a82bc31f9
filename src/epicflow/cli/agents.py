"""`epicflow mcp`: the MCP tools over stdio, for a coding agent's MCP client configuration."""

from __future__ import annotations

from epicflow.client import ClientConfig
from epicflow.mcp.stdio import serve_stdio


def mcp() -> None:
    """Serve MCP over stdio, as the logged-in worker (EPICFLOW_URL, EPICFLOW_TOKEN)."""
    serve_stdio(ClientConfig.load())

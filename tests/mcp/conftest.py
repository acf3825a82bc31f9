"""One served API per module (`epicflow serve` on a loopback port), a project on it, and MCP
client sessions to it: `epicflow mcp` over stdio, and `/mcp` over streamable HTTP."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx2
import pytest
from mcp.client.streamable_http import streamable_http_client

from mcp import ClientSession, StdioServerParameters, stdio_client
from tests.support.served_api import ServedProject, served_project
from tests.support.stress.servers import served

BIN = Path(sys.executable).parent
Connect = Callable[[], AbstractAsyncContextManager[ClientSession]]


@pytest.fixture(scope="module")
async def api_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    async with served(database_url, tmp_path_factory.mktemp("served"), 1) as urls:
        yield urls[0]


@pytest.fixture
def project(api_url: str) -> ServedProject:
    return served_project(api_url)


@asynccontextmanager
async def over_stdio(project: ServedProject, home: Path) -> AsyncIterator[ClientSession]:
    """`epicflow mcp` as a subprocess, holding the project owner's API token."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "EPICFLOW_URL": project.url,
        "EPICFLOW_TOKEN": project.token,
    }
    server = StdioServerParameters(command=str(BIN / "epicflow"), args=["mcp"], env=env)
    async with stdio_client(server) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session


@asynccontextmanager
async def over_http(
    url: str, headers: dict[str, str] | None = None
) -> AsyncIterator[ClientSession]:
    async with (
        httpx2.AsyncClient(headers=headers or {}, timeout=30) as http,
        streamable_http_client(url + "/mcp", http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


@pytest.fixture(params=["stdio", "http"])
def connect(request: pytest.FixtureRequest, project: ServedProject, tmp_path: Path) -> Connect:
    """An MCP client session as the project's owner, over either transport."""
    if request.param == "stdio":
        return lambda: over_stdio(project, tmp_path)
    bearer = {"Authorization": f"Bearer {project.token}"}
    return lambda: over_http(project.url, bearer)

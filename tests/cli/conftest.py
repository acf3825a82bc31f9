"""One served API per module (`epicflow serve` on a loopback port), and a worker set up on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.served_api import ServedProject, served_project
from tests.support.stress.servers import served


@pytest.fixture(scope="module")
async def api_url(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    async with served(database_url, tmp_path_factory.mktemp("served"), 1) as urls:
        yield urls[0]


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Credentials and claim tokens kept in a folder of the test's own."""
    folder = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))
    monkeypatch.delenv("EPICFLOW_TOKEN", raising=False)
    return folder / "epicflow"


@pytest.fixture
def project(api_url: str, config_home: Path, monkeypatch: pytest.MonkeyPatch) -> ServedProject:
    """Project WEB, and the environment of a worker that holds its owner's API token."""
    made = served_project(api_url)
    monkeypatch.setenv("EPICFLOW_URL", api_url)
    monkeypatch.setenv("EPICFLOW_TOKEN", made.token)
    return made

"""Epics as people write them (tests/fixtures/ccpm/: one folder per pattern, several patterns in
a file): each imports, and exporting it unchanged gives back the same files, byte for byte."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from httpx import AsyncClient

from tests.support.board import Board
from tests.support.transfer import export, import_archive, untar_bytes, zip_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ccpm"
NAMES = sorted(path.name for path in FIXTURES.iterdir() if path.is_dir())


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _by_epic(files: dict[str, bytes]) -> dict[str, bytes]:
    """Paths from the epic's folder on: `.claude/epics/x/001.md` and `epics/x/001.md` alike."""
    out = {}
    for path, data in files.items():
        parts = path.split("/")
        out["/".join(parts[parts.index("epics") + 1 :])] = data
    return out


@pytest.mark.parametrize("name", NAMES)
async def test_a_real_epic_imports_and_exports_the_same_bytes(
    client: AsyncClient, board: Board, name: str
) -> None:
    files = _files(FIXTURES / name)
    response = await import_archive(client, board.owner, "WEB", zip_of(files))
    assert response.status_code == 200, response.text
    exported = untar_bytes((await export(client, board.owner, "WEB", "markdown")).content)
    expected = _by_epic(files)
    got = _by_epic(exported)
    assert sorted(got) == sorted(expected)
    for path, data in expected.items():
        # Terminal escape codes are removed on reading (with a warning).
        assert got[path] == re.sub(rb"\x1b\[[0-9;]*m", b"", data), path

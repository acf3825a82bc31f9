"""Property: an epic as people's editors leave it (unknown sections, text and nested lists
among items, ranges and notes in the estimate, forks' words and keys, CRLF/LF/CR, a BOM, files
beside the tasks), imported over HTTP and exported unchanged, gives back the same files byte
for byte. A bounded number of examples, no deadline."""

from __future__ import annotations

import itertools

from httpx import AsyncClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.board import Board
from tests.support.file_strategies import http_epics
from tests.support.transfer import export, imported, untar_bytes, zip_of

_PROJECTS = itertools.count(1)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_import_then_export_gives_back_the_same_bytes(
    client: AsyncClient, board: Board, data: st.DataObject
) -> None:
    key = f"RT{next(_PROJECTS)}"  # a project of its own for each example
    response = await client.post(
        "/api/v1/projects", json={"key": key, "name": key}, headers=board.owner.headers
    )
    assert response.status_code == 201, response.text
    files = data.draw(http_epics(key))
    await imported(client, board.owner, key, zip_of(files))
    exported = untar_bytes((await export(client, board.owner, key, "markdown")).content)
    assert exported == {
        path: text.encode() if isinstance(text, str) else text for path, text in files.items()
    }

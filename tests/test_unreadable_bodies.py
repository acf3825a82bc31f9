"""Bodies the server cannot read at all (invalid UTF-8, nesting past any limit, numbers too long
to convert, multipart without a boundary, thousands of fields) are a small, clean 422 (SPEC §3
"Input is strict")."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from epicflow.platform.db import Database
from tests.support.accounts import AccountSeeder
from tests.support.bad_bodies import DEPTH, JSON, Case
from tests.support.clean_errors import MAX_ERROR_BYTES, PROBLEM


class TestUnreadableBodies:
    @pytest.mark.parametrize(
        "case",
        [
            Case("invalid UTF-8", b'{"name": "\xff"}'),
            Case("nested too deep", ("[" * DEPTH + "]" * DEPTH).encode()),
            Case("integer of 5000 digits", b"9" * 5000),
            Case("multipart without a boundary", b"--x--", "multipart/form-data"),
        ],
        ids=lambda case: case.label,
    )
    async def test_a_body_that_cannot_be_read_is_422_like_a_json_syntax_error(
        self, client: AsyncClient, db: Database, case: Case
    ) -> None:
        user = await AccountSeeder(db).create()
        headers = {**user.headers, "Content-Type": case.content_type or JSON}
        response = await client.post("/api/v1/projects", content=case.content, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] in {"malformed_body", "validation_error"}
        assert response.json()["errors"][0]["loc"][0] == "body"

    async def test_thousands_of_unknown_fields_give_a_small_error(
        self, client: AsyncClient, db: Database
    ) -> None:
        user = await AccountSeeder(db).create()
        body = {"key": "WEB", "name": "Website"} | {f"field-{i}" * 20: i for i in range(5000)}
        response = await client.post("/api/v1/projects", json=body, headers=user.headers)
        assert response.status_code == 422
        assert len(response.content) < MAX_ERROR_BYTES
        problem = response.json()
        assert 0 < len(problem["errors"]) <= 50
        assert all(len(part) <= 101 for error in problem["errors"] for part in error["loc"])
        assert problem["detail"].endswith("more")

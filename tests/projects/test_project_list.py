"""Listing projects: only the caller's, paged by key without gaps or repeats (SPEC §2, §3, §8)."""

from __future__ import annotations

import base64

import pytest
from httpx import AsyncClient

from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    PROJECTS,
    add_member,
    all_pages,
    create_project,
    cursor_of,
    problem,
)


class TestListProjects:
    async def test_pages_cover_every_project_once_in_key_order(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        keys = ["EE", "AA", "CC", "BB", "DD"]
        for key in keys:
            await create_project(client, ada, key)
        pages = await all_pages(client, PROJECTS, ada, limit=2)
        assert [len(page) for page in pages] == [2, 2, 1]
        assert [item["key"] for page in pages for item in page] == sorted(keys)
        assert all(item["role"] == "owner" for page in pages for item in page)

    async def test_exact_multiple_of_limit_ends_with_a_null_cursor(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        for key in ("AA", "BB", "CC", "DD"):
            await create_project(client, ada, key)
        pages = await all_pages(client, PROJECTS, ada, limit=2)
        assert [len(page) for page in pages] == [2, 2]

    async def test_default_page_holds_everything_small(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "AA")
        response = await client.get(PROJECTS, headers=ada.headers)
        assert response.status_code == 200
        assert response.json()["next_cursor"] is None
        assert [item["key"] for item in response.json()["items"]] == ["AA"]

    async def test_a_project_created_between_pages_is_not_skipped_or_repeated(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        for key in ("AA", "CC", "EE"):
            await create_project(client, ada, key)
        first = await client.get(PROJECTS, params={"limit": 2}, headers=ada.headers)
        await create_project(client, ada, "DD")
        await create_project(client, ada, "AB")  # sorts before the cursor: not on later pages
        second = await client.get(
            PROJECTS,
            params={"limit": 2, "cursor": first.json()["next_cursor"]},
            headers=ada.headers,
        )
        assert [p["key"] for p in first.json()["items"]] == ["AA", "CC"]
        assert [p["key"] for p in second.json()["items"]] == ["DD", "EE"]

    async def test_only_projects_the_caller_belongs_to_are_listed(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "ADA")
        await create_project(client, bo, "BO")
        await add_member(client, "BO", bo, ada, role="viewer")
        listed = await client.get(PROJECTS, headers=ada.headers)
        assert [(p["key"], p["role"]) for p in listed.json()["items"]] == [
            ("ADA", "owner"),
            ("BO", "viewer"),
        ]
        theirs = await client.get(PROJECTS, headers=bo.headers)
        assert [p["key"] for p in theirs.json()["items"]] == ["BO"]

    @pytest.mark.parametrize("limit", ["0", "-1", "201", "1000000", "abc", "1.5", ""])
    async def test_limit_out_of_range_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, limit: str
    ) -> None:
        ada = await accounts.create()
        response = await client.get(PROJECTS, params={"limit": limit}, headers=ada.headers)
        problem(response, 422)

    async def test_limit_200_is_the_maximum_accepted(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        response = await client.get(PROJECTS, params={"limit": 200}, headers=ada.headers)
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "cursor",
        [
            "garbage!!",
            "%%%",
            "ééé",
            "a",
            cursor_of("not-a-list"),
            cursor_of([]),
            cursor_of(["AA", "BB"]),
            cursor_of([1]),
            cursor_of([None]),
            cursor_of({"key": "AA"}),
            base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
            "x" * 1025,
        ],
    )
    async def test_garbage_cursor_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, cursor: str
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "AA")
        response = await client.get(PROJECTS, params={"cursor": cursor}, headers=ada.headers)
        problem(response, 422)

    async def test_anonymous_caller_is_401(self, client: AsyncClient) -> None:
        problem(await client.get(PROJECTS), 401)

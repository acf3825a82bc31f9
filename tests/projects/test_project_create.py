"""Creating a project: the creator becomes its owner; taken and bad keys are refused
(SPEC §2, §3, §8)."""

from __future__ import annotations

import json

import pytest
from httpx import AsyncClient

from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    PROJECTS,
    create_project,
    member_roles,
    problem,
    project_url,
)
from tests.support.users import UserFactory


class TestCreateProject:
    async def test_creator_becomes_owner(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        response = await client.post(
            PROJECTS,
            json={"key": "WEB", "name": "Website", "description": "The *public* site"},
            headers=ada.headers,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["key"] == "WEB"
        assert body["name"] == "Website"
        assert body["description"] == "The *public* site"
        assert body["role"] == "owner"
        assert body["created_at"]
        assert await member_roles(client, "WEB", ada) == {ada.email: "owner"}

    async def test_a_signed_up_user_creates_and_lists_a_project(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        ada = await users.create()
        created = await create_project(client, ada, "WEB")
        listed = await client.get(PROJECTS, headers=ada.headers)
        assert listed.json() == {"items": [created], "next_cursor": None}

    async def test_description_defaults_to_empty(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        body = await create_project(client, ada, "API")
        assert body["description"] == ""

    async def test_taken_key_is_409_and_the_first_project_is_untouched(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "WEB", name="First")
        response = await client.post(
            PROJECTS, json={"key": "WEB", "name": "Second"}, headers=bo.headers
        )
        problem(response, 409, "project_key_taken")
        kept = await client.get(project_url("WEB"), headers=ada.headers)
        assert kept.json()["name"] == "First"
        listed = await client.get(PROJECTS, headers=bo.headers)
        assert listed.json()["items"] == []

    @pytest.mark.parametrize(
        "key",
        [
            "",
            "W",
            "web",
            "Web",
            "1AB",
            "_AB",
            "A-B",
            "AB ",
            " AB",
            "ABCDEFGHIJK",
            "ÄBC",
            "AB\u0000",
            "😀😀",
            "AB\ud800",
        ],
    )
    async def test_bad_key_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, key: str
    ) -> None:
        ada = await accounts.create()
        response = await client.post(
            PROJECTS,
            content=json.dumps({"key": key, "name": "Bad"}),
            headers={**ada.headers, "content-type": "application/json"},
        )
        body = problem(response, 422, "validation_error")
        assert ["body", "key"] in [error["loc"] for error in body["errors"]]
        listed = await client.get(PROJECTS, headers=ada.headers)
        assert listed.json()["items"] == []

    @pytest.mark.parametrize("key", ["AB", "A1", "ABCDEFGHIJ", "X2Y3"])
    async def test_edge_keys_are_accepted(
        self, client: AsyncClient, accounts: AccountSeeder, key: str
    ) -> None:
        ada = await accounts.create()
        assert (await create_project(client, ada, key))["key"] == key

    async def test_anonymous_caller_is_401(self, client: AsyncClient) -> None:
        response = await client.post(PROJECTS, json={"key": "WEB", "name": "Website"})
        problem(response, 401)

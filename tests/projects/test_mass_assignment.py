"""Fields the server owns, or that do not exist, are refused with 422 and nothing is written
(SPEC §2, §3, §8)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    PROJECTS,
    add_member,
    create_project,
    make_roster,
    member_roles,
    member_url,
    members_url,
    problem,
    project_url,
)


class TestMassAssignment:
    @pytest.mark.parametrize(
        "extra",
        [
            {"role": "viewer"},
            {"owner": "someone@example.com"},
            {"id": "00000000-0000-0000-0000-000000000001"},
            {"created_at": "2000-01-01T00:00:00Z"},
            {"is_superuser": True},
            {"members": []},
        ],
    )
    async def test_server_owned_fields_on_create_are_422_and_nothing_is_created(
        self, client: AsyncClient, accounts: AccountSeeder, extra: dict[str, Any]
    ) -> None:
        ada = await accounts.create()
        response = await client.post(
            PROJECTS, json={"key": "WEB", "name": "Website", **extra}, headers=ada.headers
        )
        body = problem(response, 422, "validation_error")
        assert any(error["loc"][0] == "body" for error in body["errors"])
        problem(await client.get(project_url("WEB"), headers=ada.headers), 404)
        assert (await client.get(PROJECTS, headers=ada.headers)).json()["items"] == []

    @pytest.mark.parametrize(
        "extra",
        [
            {"role": "owner"},
            {"owner": "x"},
            {"id": "00000000-0000-0000-0000-000000000001"},
            {"key": "NEW"},
            {"created_at": "2000-01-01T00:00:00Z"},
        ],
    )
    async def test_server_owned_fields_on_update_are_422_and_nothing_changes(
        self, client: AsyncClient, accounts: AccountSeeder, extra: dict[str, Any]
    ) -> None:
        ada = await accounts.create()
        viewer = await accounts.create()
        created = await create_project(client, ada, "WEB", name="Website")
        await add_member(client, "WEB", ada, viewer, role="viewer")
        for caller in (ada, viewer):
            response = await client.patch(
                project_url("WEB"), json={"name": "Changed", **extra}, headers=caller.headers
            )
            problem(response, 422, "validation_error")
        assert (await client.get(project_url("WEB"), headers=ada.headers)).json() == created
        assert (await client.get(project_url("WEB"), headers=viewer.headers)).json()[
            "role"
        ] == "viewer"
        problem(await client.get(project_url("NEW"), headers=ada.headers), 404)

    @pytest.mark.parametrize(
        "extra",
        [
            {"user_id": "00000000-0000-0000-0000-000000000001"},
            {"id": "00000000-0000-0000-0000-000000000001"},
            {"project": "OTHER"},
            {"is_superuser": True},
        ],
    )
    async def test_extra_fields_on_members_are_422(
        self, client: AsyncClient, accounts: AccountSeeder, extra: dict[str, Any]
    ) -> None:
        team = await make_roster(client, accounts)
        newcomer = await accounts.create()
        before = await member_roles(client, "WEB", team.owner)
        added = await client.post(
            members_url("WEB"), json={"email": newcomer.email, **extra}, headers=team.owner.headers
        )
        problem(added, 422, "validation_error")
        changed = await client.patch(
            member_url("WEB", team.member.id),
            json={"role": "viewer", **extra},
            headers=team.owner.headers,
        )
        problem(changed, 422, "validation_error")
        relabelled = await client.patch(
            member_url("WEB", team.member.id),
            json={"role": "viewer", "email": newcomer.email},
            headers=team.owner.headers,
        )
        problem(relabelled, 422, "validation_error")
        assert await member_roles(client, "WEB", team.owner) == before

"""Reading, changing and deleting one project, by role (SPEC §2, §3, §8)."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient

from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    PROJECTS,
    add_member,
    create_project,
    member_url,
    members_url,
    problem,
    project_url,
)


class TestReadProject:
    async def test_member_reads_the_project_with_their_role(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "WEB", name="Website")
        await add_member(client, "WEB", ada, bo, role="viewer")
        response = await client.get(project_url("WEB"), headers=bo.headers)
        assert response.status_code == 200
        assert response.json()["name"] == "Website"
        assert response.json()["role"] == "viewer"

    async def test_non_member_gets_the_same_404_as_for_a_missing_project(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        eve = await accounts.create()
        await create_project(client, ada, "WEB")
        hidden = problem(await client.get(project_url("WEB"), headers=eve.headers), 404)
        missing = problem(await client.get(project_url("NOPE"), headers=eve.headers), 404)
        assert hidden["code"] == missing["code"] == "project_not_found"
        problem(await client.get(members_url("WEB"), headers=eve.headers), 404, "project_not_found")
        leave = await client.delete(member_url("WEB", ada.id), headers=eve.headers)
        problem(leave, 404, "project_not_found")

    async def test_key_lookup_is_exact(self, client: AsyncClient, accounts: AccountSeeder) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        problem(await client.get(project_url("web"), headers=ada.headers), 404)


class TestUpdateProject:
    async def test_owner_renames_and_redescribes_but_the_key_stays(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB", name="Website")
        response = await client.patch(
            project_url("WEB"),
            json={"name": "Public site", "description": "Line one\n\tindented"},
            headers=ada.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["key"] == "WEB"
        assert response.json()["role"] == "owner"
        again = (await client.get(project_url("WEB"), headers=ada.headers)).json()
        assert again["name"] == "Public site"
        assert again["description"] == "Line one\n\tindented"

    async def test_omitted_fields_are_unchanged(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB", name="Website", description="Kept")
        response = await client.patch(project_url("WEB"), json={}, headers=ada.headers)
        assert response.status_code == 200
        assert (response.json()["name"], response.json()["description"]) == ("Website", "Kept")
        renamed = await client.patch(project_url("WEB"), json={"name": "New"}, headers=ada.headers)
        assert renamed.json()["description"] == "Kept"

    async def test_admin_may_rename_member_and_viewer_may_not(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        admin = await accounts.create()
        member = await accounts.create()
        viewer = await accounts.create()
        await create_project(client, ada, "WEB", name="Website")
        for user, role in ((admin, "admin"), (member, "member"), (viewer, "viewer")):
            await add_member(client, "WEB", ada, user, role=role)
        ok = await client.patch(
            project_url("WEB"), json={"name": "By admin"}, headers=admin.headers
        )
        assert ok.status_code == 200
        for user in (member, viewer):
            refused = await client.patch(
                project_url("WEB"), json={"name": "Nope"}, headers=user.headers
            )
            problem(refused, 403, "forbidden")
        assert (await client.get(project_url("WEB"), headers=ada.headers)).json()[
            "name"
        ] == "By admin"

    @pytest.mark.parametrize(
        "body",
        [
            {"name": ""},
            {"name": "x" * 101},
            {"name": "tab\tin a name"},
            {"name": 5},
            {"description": "x" * 100_001},
            {"description": "bell\u0007"},
        ],
    )
    async def test_invalid_values_are_422(
        self, client: AsyncClient, accounts: AccountSeeder, body: dict[str, Any]
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB", name="Website")
        problem(await client.patch(project_url("WEB"), json=body, headers=ada.headers), 422)
        assert (await client.get(project_url("WEB"), headers=ada.headers)).json()[
            "name"
        ] == "Website"


class TestDeleteProject:
    async def test_owner_deletes_the_project_and_its_memberships(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, bo)
        response = await client.delete(project_url("WEB"), headers=ada.headers)
        assert response.status_code == 204
        assert response.content == b""
        problem(await client.get(project_url("WEB"), headers=ada.headers), 404)
        problem(await client.get(members_url("WEB"), headers=bo.headers), 404)
        assert (await client.get(PROJECTS, headers=bo.headers)).json()["items"] == []

    async def test_the_key_can_be_used_again_after_deletion(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB", name="Old")
        await client.delete(project_url("WEB"), headers=ada.headers)
        assert (await create_project(client, ada, "WEB", name="New"))["name"] == "New"

    async def test_admin_cannot_delete(self, client: AsyncClient, accounts: AccountSeeder) -> None:
        ada = await accounts.create()
        admin = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, admin, role="admin")
        problem(await client.delete(project_url("WEB"), headers=admin.headers), 403, "forbidden")
        assert (await client.get(project_url("WEB"), headers=ada.headers)).status_code == 200

    async def test_deleting_twice_is_404(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        await client.delete(project_url("WEB"), headers=ada.headers)
        problem(await client.delete(project_url("WEB"), headers=ada.headers), 404)

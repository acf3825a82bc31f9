"""Adding members to a project, by who may grant which role, and listing them
(SPEC §2, §3, §8)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    add_member,
    all_pages,
    create_project,
    cursor_of,
    member_roles,
    members_url,
    problem,
    project_url,
)


class TestAddMember:
    async def test_owner_adds_a_user_by_email(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "WEB")
        response = await client.post(
            members_url("WEB"), json={"email": bo.email.upper()}, headers=ada.headers
        )
        assert response.status_code == 201, response.text
        assert response.json() == {
            "user_id": bo.id,
            "email": bo.email,
            "full_name": "",
            "role": "member",
        }
        seen = await client.get(project_url("WEB"), headers=bo.headers)
        assert seen.json()["role"] == "member"

    async def test_unknown_email_is_404(self, client: AsyncClient, accounts: AccountSeeder) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        response = await client.post(
            members_url("WEB"), json={"email": "nobody@example.com"}, headers=ada.headers
        )
        problem(response, 404, "user_not_found")
        assert await member_roles(client, "WEB", ada) == {ada.email: "owner"}

    @pytest.mark.parametrize("email", ["not-an-email", "a@@example.com", "a b@example.com", ""])
    async def test_malformed_email_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, email: str
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        response = await client.post(members_url("WEB"), json={"email": email}, headers=ada.headers)
        problem(response, 422, "validation_error")

    async def test_already_a_member_is_409_and_the_role_is_kept(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, bo, role="viewer")
        again = await client.post(
            members_url("WEB"), json={"email": bo.email, "role": "admin"}, headers=ada.headers
        )
        problem(again, 409, "already_member")
        owner_again = await client.post(
            members_url("WEB"), json={"email": ada.email, "role": "viewer"}, headers=ada.headers
        )
        problem(owner_again, 409, "already_member")
        assert await member_roles(client, "WEB", ada) == {ada.email: "owner", bo.email: "viewer"}

    @pytest.mark.parametrize("role", ["member", "viewer"])
    async def test_admin_adds_roles_below_admin(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        ada = await accounts.create()
        admin = await accounts.create()
        newcomer = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, admin, role="admin")
        assert (await add_member(client, "WEB", admin, newcomer, role=role))["role"] == role

    @pytest.mark.parametrize("role", ["admin", "owner"])
    async def test_admin_cannot_grant_admin_or_owner(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        ada = await accounts.create()
        admin = await accounts.create()
        newcomer = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, admin, role="admin")
        response = await client.post(
            members_url("WEB"), json={"email": newcomer.email, "role": role}, headers=admin.headers
        )
        problem(response, 403, "forbidden")
        assert newcomer.email not in await member_roles(client, "WEB", ada)

    @pytest.mark.parametrize("role", ["admin", "owner"])
    async def test_owner_grants_any_role(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "WEB")
        assert (await add_member(client, "WEB", ada, bo, role=role))["role"] == role

    @pytest.mark.parametrize("role", ["member", "viewer"])
    async def test_members_and_viewers_cannot_add(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        ada = await accounts.create()
        insider = await accounts.create()
        newcomer = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, insider, role=role)
        response = await client.post(
            members_url("WEB"),
            json={"email": newcomer.email, "role": "viewer"},
            headers=insider.headers,
        )
        problem(response, 403, "forbidden")

    @pytest.mark.parametrize("role", ["superuser", "OWNER", "", None, 1])
    async def test_unknown_role_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, role: object
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        await create_project(client, ada, "WEB")
        response = await client.post(
            members_url("WEB"), json={"email": bo.email, "role": role}, headers=ada.headers
        )
        problem(response, 422, "validation_error")
        assert bo.email not in await member_roles(client, "WEB", ada)


class TestListMembers:
    async def test_members_are_paged_by_email(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create("ada@example.com")
        await create_project(client, ada, "WEB")
        for name in ("eve", "bo", "cy", "dan"):
            await add_member(client, "WEB", ada, await accounts.create(f"{name}@example.com"))
        pages = await all_pages(client, members_url("WEB"), ada, limit=2)
        assert [len(page) for page in pages] == [2, 2, 1]
        emails = [item["email"] for page in pages for item in page]
        assert emails == sorted(emails)
        assert len(emails) == 5
        assert set(pages[0][0]) == {"user_id", "email", "full_name", "role"}

    async def test_viewer_lists_members(self, client: AsyncClient, accounts: AccountSeeder) -> None:
        ada = await accounts.create()
        viewer = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, viewer, role="viewer")
        assert await member_roles(client, "WEB", viewer) == {
            ada.email: "owner",
            viewer.email: "viewer",
        }

    @pytest.mark.parametrize(
        "params", [{"limit": "201"}, {"limit": "0"}, {"cursor": "!!"}, {"cursor": cursor_of([7])}]
    )
    async def test_bad_paging_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, params: dict[str, str]
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        problem(await client.get(members_url("WEB"), params=params, headers=ada.headers), 422)

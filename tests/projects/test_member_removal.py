"""Removing a member or leaving a project; the last owner stays (SPEC §2, §3, §8)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    PROJECTS,
    add_member,
    make_roster,
    member_roles,
    member_url,
    problem,
    project_url,
    set_role,
)
from tests.support.users import TestUser


class TestRemoveMember:
    async def test_admin_removes_members_and_viewers(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        for user in (team.member, team.viewer):
            response = await client.delete(member_url("WEB", user.id), headers=team.admin.headers)
            assert response.status_code == 204, response.text
            problem(await client.get(project_url("WEB"), headers=user.headers), 404)
        assert set(await member_roles(client, "WEB", team.owner)) == {
            team.owner.email,
            team.admin.email,
        }

    @pytest.mark.parametrize("target", ["owner", "admin"])
    async def test_admin_cannot_remove_admins_or_owners(
        self, client: AsyncClient, accounts: AccountSeeder, target: str
    ) -> None:
        team = await make_roster(client, accounts)
        other_admin = await accounts.create()
        await add_member(client, "WEB", team.owner, other_admin, role="admin")
        user = team.owner if target == "owner" else other_admin
        response = await client.delete(member_url("WEB", user.id), headers=team.admin.headers)
        problem(response, 403, "forbidden")
        assert user.email in await member_roles(client, "WEB", team.owner)

    async def test_owner_removes_an_admin(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        response = await client.delete(member_url("WEB", team.admin.id), headers=team.owner.headers)
        assert response.status_code == 204
        assert team.admin.email not in await member_roles(client, "WEB", team.owner)

    async def test_member_cannot_remove_someone_else(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        response = await client.delete(
            member_url("WEB", team.viewer.id), headers=team.member.headers
        )
        problem(response, 403, "forbidden")

    @pytest.mark.parametrize("role", ["admin", "member", "viewer"])
    async def test_anyone_below_owner_may_leave(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        team = await make_roster(client, accounts)
        leaver: TestUser = getattr(team, role)
        response = await client.delete(member_url("WEB", leaver.id), headers=leaver.headers)
        assert response.status_code == 204, response.text
        problem(await client.get(project_url("WEB"), headers=leaver.headers), 404)
        assert (await client.get(PROJECTS, headers=leaver.headers)).json()["items"] == []
        assert leaver.email not in await member_roles(client, "WEB", team.owner)

    async def test_the_last_owner_cannot_leave(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        response = await client.delete(member_url("WEB", team.owner.id), headers=team.owner.headers)
        problem(response, 409, "last_owner")
        assert (await client.get(project_url("WEB"), headers=team.owner.headers)).json()[
            "role"
        ] == "owner"

    async def test_an_owner_may_leave_when_another_owner_remains(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        await set_role(client, team.owner, team.admin, "owner")
        response = await client.delete(member_url("WEB", team.owner.id), headers=team.owner.headers)
        assert response.status_code == 204
        problem(
            await client.delete(member_url("WEB", team.admin.id), headers=team.admin.headers),
            409,
            "last_owner",
        )

    async def test_an_owner_removes_another_owner_but_not_the_last(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        await set_role(client, team.owner, team.admin, "owner")
        removed = await client.delete(member_url("WEB", team.admin.id), headers=team.owner.headers)
        assert removed.status_code == 204
        last = await client.delete(member_url("WEB", team.owner.id), headers=team.owner.headers)
        problem(last, 409, "last_owner")

    async def test_removing_a_non_member_is_404(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        outsider = await accounts.create()
        response = await client.delete(member_url("WEB", outsider.id), headers=team.owner.headers)
        problem(response, 404)

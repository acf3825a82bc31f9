"""Changing a member's role, by who may change which; a project never loses its last owner, even
under concurrent changes (SPEC §2, §3, §8)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from httpx import AsyncClient

from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    add_member,
    create_project,
    make_roster,
    member_roles,
    member_url,
    problem,
    set_role,
)
from tests.support.users import TestUser


class TestChangeRole:
    async def test_admin_moves_members_and_viewers_between_the_lower_roles(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        demoted = await set_role(client, team.admin, team.member, "viewer")
        assert demoted.status_code == 200, demoted.text
        assert demoted.json()["role"] == "viewer"
        assert demoted.json()["user_id"] == team.member.id
        promoted = await set_role(client, team.admin, team.viewer, "member")
        assert promoted.status_code == 200
        roles = await member_roles(client, "WEB", team.owner)
        assert roles[team.member.email] == "viewer"
        assert roles[team.viewer.email] == "member"

    @pytest.mark.parametrize(
        ("target", "role"),
        [
            ("member", "admin"),
            ("member", "owner"),
            ("viewer", "admin"),
            ("owner", "member"),
            ("owner", "admin"),
        ],
    )
    async def test_admin_cannot_grant_admin_or_touch_owners(
        self, client: AsyncClient, accounts: AccountSeeder, target: str, role: str
    ) -> None:
        team = await make_roster(client, accounts)
        before = await member_roles(client, "WEB", team.owner)
        response = await set_role(client, team.admin, getattr(team, target), role)
        problem(response, 403, "forbidden")
        assert await member_roles(client, "WEB", team.owner) == before

    async def test_admin_cannot_change_another_admin_or_themselves(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        other = await accounts.create()
        await add_member(client, "WEB", team.owner, other, role="admin")
        before = await member_roles(client, "WEB", team.owner)
        problem(await set_role(client, team.admin, other, "member"), 403, "forbidden")
        problem(await set_role(client, team.admin, team.admin, "member"), 403, "forbidden")
        assert await member_roles(client, "WEB", team.owner) == before

    @pytest.mark.parametrize(
        ("target", "role"), [("member", "admin"), ("admin", "viewer"), ("viewer", "owner")]
    )
    async def test_owner_changes_any_role(
        self, client: AsyncClient, accounts: AccountSeeder, target: str, role: str
    ) -> None:
        team = await make_roster(client, accounts)
        user: TestUser = getattr(team, target)
        response = await set_role(client, team.owner, user, role)
        assert response.status_code == 200, response.text
        assert (await member_roles(client, "WEB", team.owner))[user.email] == role

    @pytest.mark.parametrize("role", ["member", "viewer"])
    async def test_members_and_viewers_cannot_change_roles(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        team = await make_roster(client, accounts)
        caller: TestUser = getattr(team, role)
        problem(await set_role(client, caller, team.viewer, "member"), 403, "forbidden")
        problem(await set_role(client, caller, caller, "admin"), 403, "forbidden")

    @pytest.mark.parametrize("role", ["admin", "member", "viewer"])
    async def test_the_last_owner_cannot_be_demoted(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        team = await make_roster(client, accounts)
        response = await set_role(client, team.owner, team.owner, role)
        problem(response, 409, "last_owner")
        assert (await member_roles(client, "WEB", team.owner))[team.owner.email] == "owner"

    async def test_one_of_two_owners_may_step_down(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        assert (await set_role(client, team.owner, team.admin, "owner")).status_code == 200
        stepped = await set_role(client, team.owner, team.owner, "admin")
        assert stepped.status_code == 200, stepped.text
        # Now the former admin is the only owner and cannot step down in turn.
        problem(await set_role(client, team.admin, team.admin, "member"), 409, "last_owner")
        # And the former owner, now admin, can no longer touch the owner.
        problem(await set_role(client, team.owner, team.admin, "member"), 403, "forbidden")

    async def test_keeping_the_owner_role_is_allowed_for_the_last_owner(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        response = await set_role(client, team.owner, team.owner, "owner")
        assert response.status_code == 200

    async def test_unknown_and_malformed_member_ids(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await make_roster(client, accounts)
        outsider = await accounts.create()
        for user_id in (str(uuid.uuid4()), outsider.id):
            response = await client.patch(
                member_url("WEB", user_id), json={"role": "viewer"}, headers=team.owner.headers
            )
            problem(response, 404)
        malformed = await client.patch(
            member_url("WEB", "not-a-uuid"), json={"role": "viewer"}, headers=team.owner.headers
        )
        problem(malformed, 422)

    async def test_role_is_required(self, client: AsyncClient, accounts: AccountSeeder) -> None:
        team = await make_roster(client, accounts)
        response = await client.patch(
            member_url("WEB", team.member.id), json={}, headers=team.owner.headers
        )
        problem(response, 422, "validation_error")


class TestLastOwnerUnderConcurrency:
    async def test_two_owners_stepping_down_at_once_leave_one_owner(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        for round_number in range(8):
            key = f"R{round_number}"
            first = await accounts.create()
            second = await accounts.create()
            await create_project(client, first, key)
            await add_member(client, key, first, second, role="owner")
            answers = await asyncio.gather(
                client.patch(
                    member_url(key, first.id), json={"role": "admin"}, headers=first.headers
                ),
                client.delete(member_url(key, second.id), headers=second.headers),
            )
            assert sorted(answer.status_code for answer in answers) in ([200, 409], [204, 409])
            roles = await member_roles(client, key, first)
            assert list(roles.values()).count("owner") == 1, (round_number, roles)

"""Projects and their members: who creates, sees, changes and leaves what (SPEC §2, §3, §8)."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from typing import Any

import pytest
from httpx import AsyncClient, Response

from epicflow.platform.db import Database
from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    PROJECTS,
    add_member,
    create_project,
    make_superuser,
    member_roles,
    member_url,
    members_url,
    project_url,
)
from tests.support.users import TestUser, UserFactory

PROBLEM = "application/problem+json"


@pytest.fixture
def accounts(db: Database) -> AccountSeeder:
    return AccountSeeder(db)


def _problem(response: Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["code"] == code
    return body


def _cursor(values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


async def _all_pages(
    client: AsyncClient, url: str, user: TestUser, limit: int
) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    params: dict[str, str | int] = {"limit": limit}
    while True:
        response = await client.get(url, params=params, headers=user.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        if body["next_cursor"] is None:
            return pages
        assert len(pages) < 50, "pagination does not end"
        params = {"limit": limit, "cursor": body["next_cursor"]}


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
        _problem(response, 409, "project_key_taken")
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
        body = _problem(response, 422, "validation_error")
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
        _problem(response, 401)


class TestListProjects:
    async def test_pages_cover_every_project_once_in_key_order(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        keys = ["EE", "AA", "CC", "BB", "DD"]
        for key in keys:
            await create_project(client, ada, key)
        pages = await _all_pages(client, PROJECTS, ada, limit=2)
        assert [len(page) for page in pages] == [2, 2, 1]
        assert [item["key"] for page in pages for item in page] == sorted(keys)
        assert all(item["role"] == "owner" for page in pages for item in page)

    async def test_exact_multiple_of_limit_ends_with_a_null_cursor(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        for key in ("AA", "BB", "CC", "DD"):
            await create_project(client, ada, key)
        pages = await _all_pages(client, PROJECTS, ada, limit=2)
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
        _problem(response, 422)

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
            _cursor("not-a-list"),
            _cursor([]),
            _cursor(["AA", "BB"]),
            _cursor([1]),
            _cursor([None]),
            _cursor({"key": "AA"}),
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
        _problem(response, 422)

    async def test_anonymous_caller_is_401(self, client: AsyncClient) -> None:
        _problem(await client.get(PROJECTS), 401)


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
        hidden = _problem(await client.get(project_url("WEB"), headers=eve.headers), 404)
        missing = _problem(await client.get(project_url("NOPE"), headers=eve.headers), 404)
        assert hidden["code"] == missing["code"] == "project_not_found"
        _problem(
            await client.get(members_url("WEB"), headers=eve.headers), 404, "project_not_found"
        )
        leave = await client.delete(member_url("WEB", ada.id), headers=eve.headers)
        _problem(leave, 404, "project_not_found")

    async def test_key_lookup_is_exact(self, client: AsyncClient, accounts: AccountSeeder) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        _problem(await client.get(project_url("web"), headers=ada.headers), 404)


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
            _problem(refused, 403, "forbidden")
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
        _problem(await client.patch(project_url("WEB"), json=body, headers=ada.headers), 422)
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
        _problem(await client.get(project_url("WEB"), headers=ada.headers), 404)
        _problem(await client.get(members_url("WEB"), headers=bo.headers), 404)
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
        _problem(await client.delete(project_url("WEB"), headers=admin.headers), 403, "forbidden")
        assert (await client.get(project_url("WEB"), headers=ada.headers)).status_code == 200

    async def test_deleting_twice_is_404(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        await client.delete(project_url("WEB"), headers=ada.headers)
        _problem(await client.delete(project_url("WEB"), headers=ada.headers), 404)


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
        _problem(response, 404, "user_not_found")
        assert await member_roles(client, "WEB", ada) == {ada.email: "owner"}

    @pytest.mark.parametrize("email", ["not-an-email", "a@@example.com", "a b@example.com", ""])
    async def test_malformed_email_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, email: str
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        response = await client.post(members_url("WEB"), json={"email": email}, headers=ada.headers)
        _problem(response, 422, "validation_error")

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
        _problem(again, 409, "already_member")
        owner_again = await client.post(
            members_url("WEB"), json={"email": ada.email, "role": "viewer"}, headers=ada.headers
        )
        _problem(owner_again, 409, "already_member")
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
        _problem(response, 403, "forbidden")
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
        _problem(response, 403, "forbidden")

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
        _problem(response, 422, "validation_error")
        assert bo.email not in await member_roles(client, "WEB", ada)


class TestListMembers:
    async def test_members_are_paged_by_email(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        ada = await accounts.create("ada@example.com")
        await create_project(client, ada, "WEB")
        for name in ("eve", "bo", "cy", "dan"):
            await add_member(client, "WEB", ada, await accounts.create(f"{name}@example.com"))
        pages = await _all_pages(client, members_url("WEB"), ada, limit=2)
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
        "params", [{"limit": "201"}, {"limit": "0"}, {"cursor": "!!"}, {"cursor": _cursor([7])}]
    )
    async def test_bad_paging_is_422(
        self, client: AsyncClient, accounts: AccountSeeder, params: dict[str, str]
    ) -> None:
        ada = await accounts.create()
        await create_project(client, ada, "WEB")
        _problem(await client.get(members_url("WEB"), params=params, headers=ada.headers), 422)


class _Roster:
    """A project WEB with one user in every role."""

    def __init__(
        self, owner: TestUser, admin: TestUser, member: TestUser, viewer: TestUser
    ) -> None:
        self.owner = owner
        self.admin = admin
        self.member = member
        self.viewer = viewer


async def _roster(client: AsyncClient, accounts: AccountSeeder) -> _Roster:
    roster = _Roster(
        await accounts.create(),
        await accounts.create(),
        await accounts.create(),
        await accounts.create(),
    )
    await create_project(client, roster.owner, "WEB")
    await add_member(client, "WEB", roster.owner, roster.admin, role="admin")
    await add_member(client, "WEB", roster.owner, roster.member, role="member")
    await add_member(client, "WEB", roster.owner, roster.viewer, role="viewer")
    return roster


async def _set_role(client: AsyncClient, by: TestUser, target: TestUser, role: str) -> Response:
    return await client.patch(member_url("WEB", target.id), json={"role": role}, headers=by.headers)


class TestChangeRole:
    async def test_admin_moves_members_and_viewers_between_the_lower_roles(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        demoted = await _set_role(client, team.admin, team.member, "viewer")
        assert demoted.status_code == 200, demoted.text
        assert demoted.json()["role"] == "viewer"
        assert demoted.json()["user_id"] == team.member.id
        promoted = await _set_role(client, team.admin, team.viewer, "member")
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
        team = await _roster(client, accounts)
        before = await member_roles(client, "WEB", team.owner)
        response = await _set_role(client, team.admin, getattr(team, target), role)
        _problem(response, 403, "forbidden")
        assert await member_roles(client, "WEB", team.owner) == before

    async def test_admin_cannot_change_another_admin_or_themselves(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        other = await accounts.create()
        await add_member(client, "WEB", team.owner, other, role="admin")
        before = await member_roles(client, "WEB", team.owner)
        _problem(await _set_role(client, team.admin, other, "member"), 403, "forbidden")
        _problem(await _set_role(client, team.admin, team.admin, "member"), 403, "forbidden")
        assert await member_roles(client, "WEB", team.owner) == before

    @pytest.mark.parametrize(
        ("target", "role"), [("member", "admin"), ("admin", "viewer"), ("viewer", "owner")]
    )
    async def test_owner_changes_any_role(
        self, client: AsyncClient, accounts: AccountSeeder, target: str, role: str
    ) -> None:
        team = await _roster(client, accounts)
        user: TestUser = getattr(team, target)
        response = await _set_role(client, team.owner, user, role)
        assert response.status_code == 200, response.text
        assert (await member_roles(client, "WEB", team.owner))[user.email] == role

    @pytest.mark.parametrize("role", ["member", "viewer"])
    async def test_members_and_viewers_cannot_change_roles(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        team = await _roster(client, accounts)
        caller: TestUser = getattr(team, role)
        _problem(await _set_role(client, caller, team.viewer, "member"), 403, "forbidden")
        _problem(await _set_role(client, caller, caller, "admin"), 403, "forbidden")

    @pytest.mark.parametrize("role", ["admin", "member", "viewer"])
    async def test_the_last_owner_cannot_be_demoted(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        team = await _roster(client, accounts)
        response = await _set_role(client, team.owner, team.owner, role)
        _problem(response, 409, "last_owner")
        assert (await member_roles(client, "WEB", team.owner))[team.owner.email] == "owner"

    async def test_one_of_two_owners_may_step_down(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        assert (await _set_role(client, team.owner, team.admin, "owner")).status_code == 200
        stepped = await _set_role(client, team.owner, team.owner, "admin")
        assert stepped.status_code == 200, stepped.text
        # Now the former admin is the only owner and cannot step down in turn.
        _problem(await _set_role(client, team.admin, team.admin, "member"), 409, "last_owner")
        # And the former owner, now admin, can no longer touch the owner.
        _problem(await _set_role(client, team.owner, team.admin, "member"), 403, "forbidden")

    async def test_keeping_the_owner_role_is_allowed_for_the_last_owner(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        response = await _set_role(client, team.owner, team.owner, "owner")
        assert response.status_code == 200

    async def test_unknown_and_malformed_member_ids(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        outsider = await accounts.create()
        for user_id in (str(uuid.uuid4()), outsider.id):
            response = await client.patch(
                member_url("WEB", user_id), json={"role": "viewer"}, headers=team.owner.headers
            )
            _problem(response, 404)
        malformed = await client.patch(
            member_url("WEB", "not-a-uuid"), json={"role": "viewer"}, headers=team.owner.headers
        )
        _problem(malformed, 422)

    async def test_role_is_required(self, client: AsyncClient, accounts: AccountSeeder) -> None:
        team = await _roster(client, accounts)
        response = await client.patch(
            member_url("WEB", team.member.id), json={}, headers=team.owner.headers
        )
        _problem(response, 422, "validation_error")


class TestRemoveMember:
    async def test_admin_removes_members_and_viewers(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        for user in (team.member, team.viewer):
            response = await client.delete(member_url("WEB", user.id), headers=team.admin.headers)
            assert response.status_code == 204, response.text
            _problem(await client.get(project_url("WEB"), headers=user.headers), 404)
        assert set(await member_roles(client, "WEB", team.owner)) == {
            team.owner.email,
            team.admin.email,
        }

    @pytest.mark.parametrize("target", ["owner", "admin"])
    async def test_admin_cannot_remove_admins_or_owners(
        self, client: AsyncClient, accounts: AccountSeeder, target: str
    ) -> None:
        team = await _roster(client, accounts)
        other_admin = await accounts.create()
        await add_member(client, "WEB", team.owner, other_admin, role="admin")
        user = team.owner if target == "owner" else other_admin
        response = await client.delete(member_url("WEB", user.id), headers=team.admin.headers)
        _problem(response, 403, "forbidden")
        assert user.email in await member_roles(client, "WEB", team.owner)

    async def test_owner_removes_an_admin(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        response = await client.delete(member_url("WEB", team.admin.id), headers=team.owner.headers)
        assert response.status_code == 204
        assert team.admin.email not in await member_roles(client, "WEB", team.owner)

    async def test_member_cannot_remove_someone_else(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        response = await client.delete(
            member_url("WEB", team.viewer.id), headers=team.member.headers
        )
        _problem(response, 403, "forbidden")

    @pytest.mark.parametrize("role", ["admin", "member", "viewer"])
    async def test_anyone_below_owner_may_leave(
        self, client: AsyncClient, accounts: AccountSeeder, role: str
    ) -> None:
        team = await _roster(client, accounts)
        leaver: TestUser = getattr(team, role)
        response = await client.delete(member_url("WEB", leaver.id), headers=leaver.headers)
        assert response.status_code == 204, response.text
        _problem(await client.get(project_url("WEB"), headers=leaver.headers), 404)
        assert (await client.get(PROJECTS, headers=leaver.headers)).json()["items"] == []
        assert leaver.email not in await member_roles(client, "WEB", team.owner)

    async def test_the_last_owner_cannot_leave(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        response = await client.delete(member_url("WEB", team.owner.id), headers=team.owner.headers)
        _problem(response, 409, "last_owner")
        assert (await client.get(project_url("WEB"), headers=team.owner.headers)).json()[
            "role"
        ] == "owner"

    async def test_an_owner_may_leave_when_another_owner_remains(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        await _set_role(client, team.owner, team.admin, "owner")
        response = await client.delete(member_url("WEB", team.owner.id), headers=team.owner.headers)
        assert response.status_code == 204
        _problem(
            await client.delete(member_url("WEB", team.admin.id), headers=team.admin.headers),
            409,
            "last_owner",
        )

    async def test_an_owner_removes_another_owner_but_not_the_last(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        await _set_role(client, team.owner, team.admin, "owner")
        removed = await client.delete(member_url("WEB", team.admin.id), headers=team.owner.headers)
        assert removed.status_code == 204
        last = await client.delete(member_url("WEB", team.owner.id), headers=team.owner.headers)
        _problem(last, 409, "last_owner")

    async def test_removing_a_non_member_is_404(
        self, client: AsyncClient, accounts: AccountSeeder
    ) -> None:
        team = await _roster(client, accounts)
        outsider = await accounts.create()
        response = await client.delete(member_url("WEB", outsider.id), headers=team.owner.headers)
        _problem(response, 404)


class TestSuperuser:
    async def test_superuser_lists_every_project_with_a_null_role_where_not_a_member(
        self, client: AsyncClient, accounts: AccountSeeder, db: Database
    ) -> None:
        ada = await accounts.create()
        root = await accounts.create()
        await create_project(client, ada, "ADA")
        await create_project(client, root, "ROOT")
        await make_superuser(db, root)
        listed = await client.get(PROJECTS, headers=root.headers)
        assert [(p["key"], p["role"]) for p in listed.json()["items"]] == [
            ("ADA", None),
            ("ROOT", "owner"),
        ]
        pages = await _all_pages(client, PROJECTS, root, limit=1)
        assert [item["key"] for page in pages for item in page] == ["ADA", "ROOT"]
        assert (await client.get(PROJECTS, headers=ada.headers)).json()["items"][0]["key"] == "ADA"

    async def test_superuser_reads_and_manages_a_project_they_do_not_belong_to(
        self, client: AsyncClient, accounts: AccountSeeder, db: Database
    ) -> None:
        ada = await accounts.create()
        bo = await accounts.create()
        root = await accounts.create()
        await make_superuser(db, root)
        await create_project(client, ada, "WEB", name="Website")
        read = await client.get(project_url("WEB"), headers=root.headers)
        assert read.status_code == 200
        assert read.json()["role"] is None
        renamed = await client.patch(
            project_url("WEB"), json={"name": "Root's"}, headers=root.headers
        )
        assert renamed.status_code == 200
        assert renamed.json()["role"] is None
        added = await add_member(client, "WEB", root, bo, role="admin")
        assert added["role"] == "admin"
        demoted = await client.patch(
            member_url("WEB", ada.id), json={"role": "member"}, headers=root.headers
        )
        _problem(demoted, 409, "last_owner")  # even a superuser keeps one owner in place
        promoted = await client.patch(
            member_url("WEB", bo.id), json={"role": "owner"}, headers=root.headers
        )
        assert promoted.status_code == 200
        assert root.email not in await member_roles(client, "WEB", root)
        assert (await client.delete(project_url("WEB"), headers=root.headers)).status_code == 204
        _problem(await client.get(project_url("WEB"), headers=ada.headers), 404)

    async def test_a_superuser_member_sees_their_own_role(
        self, client: AsyncClient, accounts: AccountSeeder, db: Database
    ) -> None:
        ada = await accounts.create()
        root = await accounts.create()
        await create_project(client, ada, "WEB")
        await add_member(client, "WEB", ada, root, role="viewer")
        await make_superuser(db, root)
        read = await client.get(project_url("WEB"), headers=root.headers)
        assert read.json()["role"] == "viewer"
        # ...and still acts with a superuser's powers.
        renamed = await client.patch(project_url("WEB"), json={"name": "X"}, headers=root.headers)
        assert renamed.status_code == 200


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
        body = _problem(response, 422, "validation_error")
        assert any(error["loc"][0] == "body" for error in body["errors"])
        _problem(await client.get(project_url("WEB"), headers=ada.headers), 404)
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
            _problem(response, 422, "validation_error")
        assert (await client.get(project_url("WEB"), headers=ada.headers)).json() == created
        assert (await client.get(project_url("WEB"), headers=viewer.headers)).json()[
            "role"
        ] == "viewer"
        _problem(await client.get(project_url("NEW"), headers=ada.headers), 404)

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
        team = await _roster(client, accounts)
        newcomer = await accounts.create()
        before = await member_roles(client, "WEB", team.owner)
        added = await client.post(
            members_url("WEB"), json={"email": newcomer.email, **extra}, headers=team.owner.headers
        )
        _problem(added, 422, "validation_error")
        changed = await client.patch(
            member_url("WEB", team.member.id),
            json={"role": "viewer", **extra},
            headers=team.owner.headers,
        )
        _problem(changed, 422, "validation_error")
        relabelled = await client.patch(
            member_url("WEB", team.member.id),
            json={"role": "viewer", "email": newcomer.email},
            headers=team.owner.headers,
        )
        _problem(relabelled, 422, "validation_error")
        assert await member_roles(client, "WEB", team.owner) == before


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

"""A superuser reads and manages projects they do not belong to (SPEC §2, §3, §8)."""

from __future__ import annotations

from httpx import AsyncClient

from epicflow.platform.db import Database
from tests.support.accounts import AccountSeeder
from tests.support.projects import (
    PROJECTS,
    add_member,
    all_pages,
    create_project,
    make_superuser,
    member_roles,
    member_url,
    problem,
    project_url,
)


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
        pages = await all_pages(client, PROJECTS, root, limit=1)
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
        problem(demoted, 409, "last_owner")  # even a superuser keeps one owner in place
        promoted = await client.patch(
            member_url("WEB", bo.id), json={"role": "owner"}, headers=root.headers
        )
        assert promoted.status_code == 200
        assert root.email not in await member_roles(client, "WEB", root)
        assert (await client.delete(project_url("WEB"), headers=root.headers)).status_code == 204
        problem(await client.get(project_url("WEB"), headers=ada.headers), 404)

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

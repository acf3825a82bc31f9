"""Hostile and malformed bodies sent to every write endpoint (SPEC §3 "Input is strict").

Each answer must be a 4xx problem+json document that discloses nothing about the server, and the
database must be exactly as it was before the whole corpus was sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from epicflow.platform.db import Database
from epicflow.registry import metadata
from tests.support.accounts import AccountSeeder
from tests.support.bad_bodies import STRUCTURAL
from tests.support.clean_errors import what_is_wrong
from tests.support.projects import add_member, create_project
from tests.support.users import TestUser, UserFactory
from tests.support.write_endpoints import ENDPOINTS, Endpoint, corpus


@dataclass
class World:
    owner: TestUser
    member: TestUser
    outsider: TestUser
    refresh_token: str


async def _world(client: AsyncClient, db: Database) -> World:
    """Some of everything in the database, so that 'unchanged' means something."""
    accounts = AccountSeeder(db)
    owner = await accounts.create("owner@example.com")
    member = await accounts.create("member@example.com")
    outsider = await accounts.create("outsider@example.com")
    tokens = await UserFactory(client).login(owner.email)
    await create_project(client, owner, "WEB", name="Website", description="Kept")
    await add_member(client, "WEB", owner, member, role="member")
    made = await client.post("/api/v1/users/me/tokens", json={"name": "ci"}, headers=owner.headers)
    assert made.status_code == 201, made.text
    return World(owner, member, outsider, tokens["refresh_token"])


def _fill(endpoint: Endpoint, world: World) -> tuple[str, dict[str, Any]]:
    path = endpoint.path.format(key="WEB", user_id=world.member.id)
    replacements = {"{refresh}": world.refresh_token, "{newcomer}": world.outsider.email}
    base = {name: replacements.get(value, value) for name, value in endpoint.base.items()}
    return path, base


async def _snapshot(db: Database) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    async with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows = (await connection.execute(select(table))).all()
            tables[table.name] = sorted(repr(tuple(row)) for row in rows)
    return tables


class TestEveryWriteEndpoint:
    def test_the_corpus_is_big_enough(self) -> None:
        for endpoint in ENDPOINTS:
            base = dict.fromkeys(endpoint.base, "x")
            assert len(corpus(endpoint, base)) >= 60, endpoint.name

    @pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
    async def test_every_bad_payload_is_a_clean_4xx_and_changes_nothing(
        self, client: AsyncClient, db: Database, endpoint: Endpoint
    ) -> None:
        world = await _world(client, db)
        path, base = _fill(endpoint, world)
        before = await _snapshot(db)
        failures: list[str] = []
        for case in corpus(endpoint, base):
            headers = {"Content-Type": case.content_type} if case.content_type else {}
            if endpoint.auth:
                headers.update(world.owner.headers)
            response = await client.request(
                endpoint.method, path, content=case.content, headers=headers
            )
            found = what_is_wrong(
                response.status_code, response.headers.get("content-type", ""), response.text
            )
            if found:
                shown = response.text[:300]
                failures.append(
                    f"{endpoint.method} {path} [{case.label}]: {', '.join(found)}: {shown}"
                )
        after = await _snapshot(db)
        changed = [name for name in before if before[name] != after[name]]
        if failures or changed:
            summary = failures + [f"table {name!r} changed" for name in changed]
            pytest.fail(f"{len(summary)} problems:\n" + "\n".join(summary), pytrace=False)

    async def test_an_unauthenticated_bad_payload_is_still_a_clean_4xx(
        self, client: AsyncClient
    ) -> None:
        """Without credentials, a bad body may be refused for either reason, never with a 5xx."""
        for endpoint in ENDPOINTS:
            if not endpoint.auth:
                continue
            path = endpoint.path.format(key="WEB", user_id=uuid.uuid4())
            for case in STRUCTURAL:
                headers = {"Content-Type": case.content_type} if case.content_type else {}
                response = await client.request(
                    endpoint.method, path, content=case.content, headers=headers
                )
                found = what_is_wrong(
                    response.status_code, response.headers.get("content-type", ""), response.text
                )
                assert not found, f"{endpoint.name} [{case.label}]: {found}"

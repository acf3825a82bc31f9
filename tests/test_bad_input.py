"""Hostile and malformed bodies sent to every write endpoint (SPEC §3 "Input is strict").

Each answer must be a 4xx problem+json document that discloses nothing about the server, and the
database must be exactly as it was before the whole corpus was sent.
"""

from __future__ import annotations

import json
import math
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select

from epicflow.platform.db import Database
from epicflow.registry import metadata
from tests.support.accounts import AccountSeeder
from tests.support.projects import add_member, create_project
from tests.support.users import PASSWORD, TestUser, UserFactory

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
PROBLEM = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "detail", "code"}
LEAKS = ("traceback", "sqlalchemy", "asyncpg", "sqlite", "psycopg", 'file "')
MAX_ERROR_BYTES = 20_000  # an error body never echoes a huge input back
DEPTH = 100_000


@dataclass(frozen=True)
class Case:
    label: str
    content: bytes
    content_type: str | None = JSON


def _json(value: Any) -> bytes:
    """JSON as a hostile client writes it: NaN literals allowed, lone surrogates as escapes."""
    return json.dumps(value, ensure_ascii=True, allow_nan=True).encode()


def _raw(label: str, text: str, content_type: str | None = JSON) -> Case:
    return Case(label, text.encode(), content_type)


# Bodies that are wrong whatever the endpoint: not JSON, not an object, not parseable.
STRUCTURAL: list[Case] = [
    Case("empty body", b""),
    Case("empty body, no content type", b"", None),
    _raw("null", "null"),
    _raw("array", "[]"),
    _raw("array of objects", '[{"name": "x", "email": "a@example.com"}]'),
    _raw("string", '"just a string"'),
    _raw("number", "42"),
    _raw("boolean", "true"),
    _raw("NaN literal", "NaN"),
    _raw("Infinity literal", "Infinity"),
    _raw("-Infinity literal", "-Infinity"),
    _raw("integer of 5000 digits", "9" * 5000),
    _raw("unterminated object", "{"),
    _raw("missing value", '{"name":}'),
    _raw("single quotes", "{'name': 'x'}"),
    _raw("trailing comma", '{"name": "x",}'),
    _raw("trailing garbage", "{} garbage"),
    _raw("comment", '{"name": "x" /* hi */}'),
    _raw("two documents", "{}{}"),
    _raw("deeply nested arrays", "[" * DEPTH + "]" * DEPTH),
    _raw("deeply nested objects", '{"a":' * DEPTH + "1" + "}" * DEPTH),
    _raw("huge array", "[" + "0," * 200_000 + "0]"),
    _raw("huge object of unknown keys", _json({f"k{i}": i for i in range(20_000)}).decode()),
    _raw("body over the size cap", '{"name": "' + "a" * (2 * 1024 * 1024) + '"}'),
    Case("invalid UTF-8 bytes", b'{"name": "\xff\xfe\xfd"}'),
    Case("truncated UTF-8 sequence", b'{"name": "\xe2\x82"}'),
    Case("overlong UTF-8 encoding", b'{"name": "\xc0\xaf"}'),
    Case("UTF-8 encoded surrogate", b'{"name": "\xed\xa0\x80"}'),
    Case("NUL byte outside strings", b'{"name":\x00"x"}'),
    Case("binary garbage", bytes(range(256))),
    _raw("XML", "<project><key>WEB</key></project>", "application/xml"),
    _raw("emoji-only keys", '{"😀": "😀", "🔥🔥": 1}'),
    _raw("NUL in a key", '{"na\\u0000me": "x"}'),
    _raw("prototype pollution", '{"__proto__": {"is_superuser": true}, "constructor": {}}'),
]

# Values wrong for every field of every endpoint (all of them are strings of some kind).
BAD_VALUES: list[tuple[str, Any]] = [
    ("int", 1),
    ("float", 1.5),
    ("true", True),
    ("false", False),
    ("empty list", []),
    ("list of strings", ["a@example.com"]),
    ("empty object", {}),
    ("operator object", {"$ne": ""}),
    ("2**63", 2**63),
    ("-2**63-1", -(2**63) - 1),
    ("NaN", math.nan),
    ("Infinity", math.inf),
    ("-Infinity", -math.inf),
    ("huge string", "a" * 200_000),
    ("huge array", [0] * 100_000),
    ("NUL", "abc\x00defgh@example.com"),
    ("only NUL", "\x00"),
    ("bell", "abc\x07defgh@example.com"),
    ("terminal escape", "\x1b[2J\x1b[31mred@example.com"),
    ("DEL", "abc\x7fdefgh@example.com"),
    ("C1 control", "abc\x85defgh@example.com"),
    ("lone high surrogate", "abcdefgh\ud800@example.com"),
    ("lone low surrogate", "\udfffabcdefgh@example.com"),
    ("reversed surrogate pair", "\udc00\ud800abcdefgh@example.com"),
]

# Fields a client must never set, whatever the endpoint.
SERVER_OWNED: list[tuple[str, Any]] = [
    ("is_superuser", True),
    ("is_active", False),
    ("role", "owner"),
    ("version", 1),
    ("claimed_by", "worker-1"),
    ("id", "00000000-0000-0000-0000-000000000001"),
    ("user_id", "00000000-0000-0000-0000-000000000001"),
    ("created_at", "2000-01-01T00:00:00Z"),
    ("password_hash", "$argon2id$v=19$m=65536,t=3,p=4$AAAA$BBBB"),
    ("owner", "root@example.com"),
    ("token", "efp_x"),
    ("key", "ROOT"),
    ("😀", "😀"),
]

LONG_EMAIL = "a" * 250 + "@example.com"
EMAIL_VALUES: list[tuple[str, Any]] = [
    ("very long e-mail", LONG_EMAIL),
    ("very long domain", "a@" + "b" * 300 + ".com"),
    ("empty e-mail", ""),
    ("e-mail with NUL", "a\x00b@example.com"),
    ("e-mail with newline", "a@example.com\nBcc: x@example.com"),
    ("not an e-mail", "not-an-email"),
    ("two at signs", "a@@example.com"),
    ("space inside", "a b@example.com"),
    ("emoji only", "😀😀😀"),
]
SPECIFIC: dict[str, list[tuple[str, Any]]] = {
    "email": EMAIL_VALUES,
    "password": [("7 characters", "1234567"), ("257 characters", "p" * 257)],
    "new_password": [("7 characters", "1234567"), ("257 characters", "p" * 257)],
    "current_password": [("empty", ""), ("513 characters", "p" * 513)],
    "refresh_token": [("empty", ""), ("513 characters", "r" * 513)],
    "full_name": [("201 characters", "n" * 201), ("tab in a name", "Ada\tLovelace")],
    "name": [("empty", ""), ("101 characters", "n" * 101), ("newline", "a\nb")],
    "description": [("100001 characters", "d" * 100_001), ("escape", "\x1b[0m")],
    "key": [
        ("lower case", "web"),
        ("one letter", "W"),
        ("eleven letters", "ABCDEFGHIJK"),
        ("emoji", "😀😀"),
        ("digit first", "1AB"),
        ("taken-looking but padded", " WEB "),
    ],
    "role": [("unknown role", "superuser"), ("upper case", "OWNER"), ("empty", "")],
    "expires_at": [
        ("not a date", "next tuesday"),
        ("past", "2000-01-01T00:00:00Z"),
        ("naive", "2999-01-01T00:00:00"),
        ("year 10000", "10000-01-01T00:00:00Z"),
        ("2**63", 2**63),
        ("NaN", math.nan),
        ("empty", ""),
    ],
}


@dataclass
class Endpoint:
    name: str
    method: str
    path: str  # "{key}" and "{user_id}" are filled in from the seeded state
    base: dict[str, Any]  # a well-formed body: each case breaks exactly one thing in it
    required: frozenset[str] = frozenset()  # fields whose absence is an error
    nullable: frozenset[str] = frozenset()  # fields where null means "leave unchanged"
    optional: tuple[str, ...] = ()  # fields left out of `base`, broken one at a time too
    auth: bool = True
    form: bool = False


ENDPOINTS = [
    Endpoint(
        "register",
        "POST",
        "/api/v1/auth/register",
        {"email": "newcomer@example.com", "password": "a long password", "full_name": "New"},
        required=frozenset({"email", "password"}),
        auth=False,
    ),
    Endpoint(
        "token",
        "POST",
        "/api/v1/auth/token",
        {"username": "nobody@example.com", "password": PASSWORD},
        auth=False,
        form=True,
    ),
    Endpoint(
        "refresh",
        "POST",
        "/api/v1/auth/refresh",
        {"refresh_token": "r" * 43},
        required=frozenset({"refresh_token"}),
        auth=False,
    ),
    Endpoint(
        "logout",
        "POST",
        "/api/v1/auth/logout",
        {"refresh_token": "{refresh}"},
        required=frozenset({"refresh_token"}),
        auth=False,
    ),
    Endpoint(
        "update profile",
        "PATCH",
        "/api/v1/users/me",
        {"full_name": "Changed", "email": "changed@example.com"},
        nullable=frozenset({"full_name", "email"}),
    ),
    Endpoint(
        "change password",
        "POST",
        "/api/v1/users/me/password",
        {"current_password": PASSWORD, "new_password": "another long password"},
        required=frozenset({"current_password", "new_password"}),
    ),
    Endpoint(
        "create API token",
        "POST",
        "/api/v1/users/me/tokens",
        {"name": "ci"},
        required=frozenset({"name"}),
        nullable=frozenset({"expires_at"}),
        optional=("expires_at",),
    ),
    Endpoint(
        "create project",
        "POST",
        "/api/v1/projects",
        {"key": "NEW", "name": "New", "description": "A new project"},
        required=frozenset({"key", "name"}),
    ),
    Endpoint(
        "update project",
        "PATCH",
        "/api/v1/projects/{key}",
        {"name": "Renamed", "description": "Changed"},
        nullable=frozenset({"name", "description"}),
    ),
    Endpoint(
        "add member",
        "POST",
        "/api/v1/projects/{key}/members",
        {"email": "{newcomer}", "role": "viewer"},
        required=frozenset({"email"}),
    ),
    Endpoint(
        "change member role",
        "PATCH",
        "/api/v1/projects/{key}/members/{user_id}",
        {"role": "viewer"},
        required=frozenset({"role"}),
    ),
    *(
        Endpoint(
            f"{action} a claim",
            "POST",
            "/api/v1/tasks/{key}-1/" + action,
            {"claim_token": "t" * 32},
            required=frozenset({"claim_token"}),
        )
        for action in ("heartbeat", "release", "complete")
    ),
]


def _field_cases(endpoint: Endpoint, base: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """One broken field at a time: bad values, field-specific bad values, missing, null."""
    bodies: list[tuple[str, dict[str, Any]]] = []
    for name in (*base, *endpoint.optional):
        values = [*BAD_VALUES, *SPECIFIC.get(name, [])]
        if name not in endpoint.nullable:
            values.append(("null", None))
        bodies.extend((f"{name}: {label}", {**base, name: value}) for label, value in values)
        if name in endpoint.required:
            bodies.append((f"{name}: missing", {k: v for k, v in base.items() if k != name}))
    for name, value in SERVER_OWNED:
        if name not in base:
            bodies.append((f"server-owned or unknown field {name!r}", {**base, name: value}))
    return bodies


def _form_cases(base: dict[str, Any]) -> list[Case]:
    """The login form: what a browser, a script or an attacker might post instead."""
    username, password = base["username"], base["password"]
    encoded = f"username={username}&password={password.replace(' ', '+')}"
    return [
        _raw("form: only username", f"username={username}", FORM),
        _raw("form: only password", "password=x", FORM),
        _raw("form: empty values", "username=&password=", FORM),
        _raw("form: 300-character username", f"username={'a' * 300}&password=x", FORM),
        _raw("form: 600-character password", f"username={username}&password={'p' * 600}", FORM),
        _raw("form: NUL in username", f"username=a%00b%40example.com&password={password}", FORM),
        _raw("form: escape in password", f"username={username}&password=%1B%5B2J", FORM),
        _raw("form: encoded surrogate", f"username=%ED%A0%80&password={password}", FORM),
        _raw("form: invalid UTF-8", f"username=%FF%FE&password={password}", FORM),
        _raw("form: invalid percent escape", f"username=%zz&password={password}", FORM),
        _raw("form: unknown account", encoded, FORM),
        _raw("form: privilege fields", encoded + "&is_superuser=true&role=owner", FORM),
        _raw("form: duplicated fields", encoded + "&username=root%40example.com", FORM),
        _raw("form: as text/plain", encoded, "text/plain"),
        _raw("form: as JSON", _json(base).decode(), JSON),
        _raw("form: no content type", encoded, None),
        _raw("form: over the size cap", encoded + "&x=" + "a" * (2 * 1024 * 1024), FORM),
        Case(
            "form: multipart with files",
            b"--b\r\nContent-Disposition: form-data; name=username; filename=u.txt\r\n\r\n"
            + username.encode()
            + b"\r\n--b\r\nContent-Disposition: form-data; name=password; filename=p\r\n\r\n"
            + b"\x00\xff\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
        _raw("form: multipart without boundary", encoded, "multipart/form-data"),
        _raw("form: DEL in password", f"username={username}&password=abc%7Fdefgh", FORM),
        _raw("form: overlong UTF-8", f"username=%C0%AF&password={password}", FORM),
        _raw("form: array-style names", f"username[]={username}&password[]=x", FORM),
        _raw("form: bare separators", "&&&&==&=", FORM),
        _raw("form: name without value", "username&password", FORM),
        _raw("form: ten thousand fields", "&".join(f"f{i}=v" for i in range(10_000)), FORM),
        _raw("form: client credentials grant", "grant_type=client_credentials", FORM),
        _raw("form: 255-character username", f"username={'u' * 255}&password=x", FORM),
        _raw("form: newline in username", "username=a%0Ab%40example.com&password=x", FORM),
        Case("form: raw invalid UTF-8", b"username=\xff\xfe&password=\xc0\xaf", FORM),
    ]


def _corpus(endpoint: Endpoint, base: dict[str, Any]) -> list[Case]:
    cases = list(STRUCTURAL)
    if endpoint.form:
        return cases + _form_cases(base)
    cases += [Case(label, _json(body)) for label, body in _field_cases(endpoint, base)]
    valid = _json(base)
    cases += [
        Case("valid body as text/plain", valid, "text/plain"),
        Case("valid body as a form", valid, FORM),
        Case("valid body as multipart", valid, "multipart/form-data; boundary=x"),
        Case("valid body as octet-stream", valid, "application/octet-stream"),
        Case("valid body with a bogus content type", valid, "application/jsonx"),
    ]
    return cases


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


def _problems(status: int, content_type: str, text: str) -> list[str]:
    found: list[str] = []
    if not 400 <= status < 500:
        found.append(f"status {status}")
    if content_type != PROBLEM:
        found.append(f"content-type {content_type!r}")
    if len(text) > MAX_ERROR_BYTES:
        found.append(f"a {len(text)}-character error body")
    lowered = text.lower()
    found.extend(f"leaks {word!r}" for word in LEAKS if word in lowered)
    try:
        body = json.loads(text)
    except ValueError:
        return [*found, "a body that is not JSON"]
    if not isinstance(body, dict) or not set(body) >= PROBLEM_FIELDS:
        return [*found, f"a body without {sorted(PROBLEM_FIELDS)}"]
    if body["status"] != status:
        found.append(f"status {body['status']} in the body")
    if status == 422 and body["code"] == "validation_error" and not body.get("errors"):
        found.append("a 422 without errors")
    return found


def test_the_corpus_is_big_enough() -> None:
    for endpoint in ENDPOINTS:
        base = dict.fromkeys(endpoint.base, "x")
        assert len(_corpus(endpoint, base)) >= 60, endpoint.name


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[endpoint.name for endpoint in ENDPOINTS])
async def test_every_bad_payload_is_a_clean_4xx_and_changes_nothing(
    client: AsyncClient, db: Database, endpoint: Endpoint
) -> None:
    world = await _world(client, db)
    path, base = _fill(endpoint, world)
    before = await _snapshot(db)
    failures: list[str] = []
    for case in _corpus(endpoint, base):
        headers = {"Content-Type": case.content_type} if case.content_type else {}
        if endpoint.auth:
            headers.update(world.owner.headers)
        response = await client.request(
            endpoint.method, path, content=case.content, headers=headers
        )
        found = _problems(
            response.status_code, response.headers.get("content-type", ""), response.text
        )
        if found:
            shown = response.text[:300]
            failures.append(f"{endpoint.method} {path} [{case.label}]: {', '.join(found)}: {shown}")
    after = await _snapshot(db)
    changed = [name for name in before if before[name] != after[name]]
    if failures or changed:
        summary = failures + [f"table {name!r} changed" for name in changed]
        pytest.fail(f"{len(summary)} problems:\n" + "\n".join(summary), pytrace=False)


async def test_an_unauthenticated_bad_payload_is_still_a_clean_4xx(client: AsyncClient) -> None:
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
            found = _problems(
                response.status_code, response.headers.get("content-type", ""), response.text
            )
            assert not found, f"{endpoint.name} [{case.label}]: {found}"


class TestUnreadableBodies:
    @pytest.mark.parametrize(
        "case",
        [
            Case("invalid UTF-8", b'{"name": "\xff"}'),
            Case("nested too deep", ("[" * DEPTH + "]" * DEPTH).encode()),
            Case("integer of 5000 digits", b"9" * 5000),
            Case("multipart without a boundary", b"--x--", "multipart/form-data"),
        ],
        ids=lambda case: case.label,
    )
    async def test_a_body_that_cannot_be_read_is_422_like_a_json_syntax_error(
        self, client: AsyncClient, db: Database, case: Case
    ) -> None:
        user = await AccountSeeder(db).create()
        headers = {**user.headers, "Content-Type": case.content_type or JSON}
        response = await client.post("/api/v1/projects", content=case.content, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] in {"malformed_body", "validation_error"}
        assert response.json()["errors"][0]["loc"][0] == "body"

    async def test_thousands_of_unknown_fields_give_a_small_error(
        self, client: AsyncClient, db: Database
    ) -> None:
        user = await AccountSeeder(db).create()
        body = {"key": "WEB", "name": "Website"} | {f"field-{i}" * 20: i for i in range(5000)}
        response = await client.post("/api/v1/projects", json=body, headers=user.headers)
        assert response.status_code == 422
        assert len(response.content) < MAX_ERROR_BYTES
        problem = response.json()
        assert 0 < len(problem["errors"]) <= 50
        assert all(len(part) <= 101 for error in problem["errors"] for part in error["loc"])
        assert problem["detail"].endswith("more")

"""Every write endpoint with a well-formed body, and the corpus of bad bodies for each: each case
breaks exactly one thing in the well-formed body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.support.bad_bodies import (
    BAD_VALUES,
    FORM,
    SERVER_OWNED,
    SPECIFIC,
    STRUCTURAL,
    Case,
    form_cases,
    json_body,
)
from tests.support.users import PASSWORD


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
            optional=optional,
        )
        for action, optional in (
            ("heartbeat", ("lease_seconds",)),
            ("release", ("reason",)),
            ("complete", ("summary",)),
        )
    ),
    Endpoint(
        "post a comment",
        "POST",
        "/api/v1/tasks/{key}-1/comments",
        {"body": "Looked into it."},
        required=frozenset({"body"}),
        optional=("kind", "claim_token"),
    ),
    Endpoint(
        "edit a comment",
        "PATCH",
        "/api/v1/comments/1",
        {"body": "Changed my mind."},
        required=frozenset({"body"}),
    ),
]


def field_cases(endpoint: Endpoint, base: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
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


def corpus(endpoint: Endpoint, base: dict[str, Any]) -> list[Case]:
    cases = list(STRUCTURAL)
    if endpoint.form:
        return cases + form_cases(base)
    cases += [Case(label, json_body(body)) for label, body in field_cases(endpoint, base)]
    valid = json_body(base)
    cases += [
        Case("valid body as text/plain", valid, "text/plain"),
        Case("valid body as a form", valid, FORM),
        Case("valid body as multipart", valid, "multipart/form-data; boundary=x"),
        Case("valid body as octet-stream", valid, "application/octet-stream"),
        Case("valid body with a bogus content type", valid, "application/jsonx"),
    ]
    return cases

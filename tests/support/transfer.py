"""Archives built in memory, and import/export driven through the API as a client would."""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from httpx import AsyncClient, Response

from tests.support.users import TestUser

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PAYMENT = EXAMPLES / "epics" / "payment-webhooks"


def zip_of(files: Mapping[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def tar_gz_of(files: Mapping[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            raw = data.encode() if isinstance(data, str) else data
            info = tarfile.TarInfo(name)
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    return out.getvalue()


def untar_bytes(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        out = {}
        for member in archive.getmembers():
            stream = archive.extractfile(member)
            assert stream is not None
            out[member.name] = stream.read()
        return out


def untar(data: bytes) -> dict[str, str]:
    return {name: raw.decode() for name, raw in untar_bytes(data).items()}


def folder_files(folder: Path, prefix: str) -> dict[str, bytes]:
    return {f"{prefix}/{path.name}": path.read_bytes() for path in sorted(folder.glob("*.md"))}


def payment_zip() -> bytes:
    return zip_of(folder_files(PAYMENT, "epics/payment-webhooks"))


def task_file(title: str, **front: Any) -> str:
    """A small ccpm task file; frontmatter values are written as given."""
    lines = ["---", f"name: {title}"]
    lines += [f"{key}: {value}" for key, value in front.items()]
    lines += ["---", "", f"# Task: {title}", "", "## Description", "", f"Do {title.lower()}."]
    return "\n".join(lines) + "\n"


def epic_file(slug: str, title: str | None = None) -> str:
    return f"---\nname: {slug}\nstatus: backlog\n---\n\n# Epic: {title or slug.title()}\n"


async def import_archive(
    client: AsyncClient,
    user: TestUser,
    key: str,
    data: bytes,
    *,
    filename: str = "epics.zip",
    dry_run: bool = False,
) -> Response:
    return await client.post(
        f"/api/v1/projects/{key}/import",
        params={"dry_run": "true"} if dry_run else {},
        files={"file": (filename, data, "application/octet-stream")},
        headers=user.headers,
    )


async def imported(client: AsyncClient, user: TestUser, key: str, data: bytes) -> dict[str, Any]:
    response = await import_archive(client, user, key, data)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def export(client: AsyncClient, user: TestUser, key: str, fmt: str) -> Response:
    response = await client.get(
        f"/api/v1/projects/{key}/export", params={"format": fmt}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return response


async def export_markdown(client: AsyncClient, user: TestUser, key: str) -> dict[str, str]:
    return untar((await export(client, user, key, "markdown")).content)


async def export_tree(client: AsyncClient, user: TestUser, key: str) -> dict[str, bytes]:
    """The markdown export's files as bytes (files beside the tasks need not be text)."""
    return untar_bytes((await export(client, user, key, "markdown")).content)


async def new_project(client: AsyncClient, owner: TestUser, key: str) -> None:
    response = await client.post(
        "/api/v1/projects", json={"key": key, "name": key}, headers=owner.headers
    )
    assert response.status_code == 201, response.text


async def export_json(client: AsyncClient, user: TestUser, key: str) -> dict[str, Any]:
    body: dict[str, Any] = (await export(client, user, key, "json")).json()
    return body


def bundle_bytes(bundle: Mapping[str, Any]) -> bytes:
    return json.dumps(bundle).encode()


async def all_tasks(client: AsyncClient, user: TestUser, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(
            f"/api/v1/projects/{key}/tasks", params=params, headers=user.headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def project_events(client: AsyncClient, user: TestUser, key: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/v1/projects/{key}/events", params={"limit": 200}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items

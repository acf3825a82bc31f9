"""Untrusted uploads: each bad one is a 4xx problem naming the file, fast, the project unchanged."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from httpx import AsyncClient

from tests.support.board import Board
from tests.support.markdown_samples import BILLION_LAUGHS
from tests.support.transfer import (
    all_tasks,
    bundle_bytes,
    epic_file,
    import_archive,
    project_events,
    task_file,
    zip_of,
)

GOOD = {"epics/web/epic.md": epic_file("web"), "epics/web/001.md": task_file("Fine task")}
MiB = 1024 * 1024


def _with(name: str, data: bytes | str) -> bytes:
    return zip_of({**GOOD, name: data})


def _raw_zip_member(name: str) -> bytes:
    """zipfile normalizes names on write; ZipInfo keeps `..` and leading slashes as given."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo(name), "x")
    return out.getvalue()


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("epics/web/002.md", b"\n" * (6 * MiB))
    return out.getvalue()


def _many_members() -> bytes:
    return zip_of({f"epics/web/{n:04d}.md": task_file(f"Task {n}") for n in range(1, 5002)})


@dataclass(frozen=True)
class Case:
    upload: Callable[[], bytes]
    status: int
    code: str
    file: str
    line: int | None = None


CASES = {
    "dot-dot member": Case(
        lambda: _raw_zip_member("epics/../../etc/passwd"),
        422,
        "invalid_archive",
        "epics/../../etc/passwd",
    ),
    "absolute member": Case(
        lambda: _raw_zip_member("/etc/passwd"), 422, "invalid_archive", "/etc/passwd"
    ),
    "zip bomb member": Case(_bomb, 422, "invalid_archive", "epics/web/002.md"),
    "too many members": Case(_many_members, 422, "invalid_archive", "epics.zip"),
    "yaml bomb": Case(
        lambda: _with("epics/web/002.md", BILLION_LAUGHS),
        422,
        "invalid_markdown",
        "epics/web/002.md",
        3,
    ),
    "python tag": Case(
        lambda: _with("epics/web/002.md", "---\nname: !!python/object/apply:os.system [ls]\n---\n"),
        422,
        "invalid_markdown",
        "epics/web/002.md",
        2,
    ),
    "binary file": Case(
        lambda: _with("epics/web/002.md", b"\x89PNG\r\n\x1a\n\x00\x00"),
        422,
        "invalid_markdown",
        "epics/web/002.md",
        3,
    ),
    "neither utf-8 nor windows-1252": Case(
        lambda: _with("epics/web/002.md", b"---\nname: ok\n---\n\n\x81\x8d\x8f"),
        422,
        "invalid_markdown",
        "epics/web/002.md",
        5,
    ),
    "5 MiB of frontmatter": Case(
        lambda: _with("epics/web/002.md", "---\n" + "k: v\n" * (MiB - 100) + "---\n# Task: T\n"),
        422,
        "invalid_markdown",
        "epics/web/002.md",
        1,
    ),
    "unknown status": Case(
        lambda: _with("epics/web/002.md", task_file("T", status="weird")),
        422,
        "invalid_markdown",
        "epics/web/002.md",
        3,
    ),
    "label with a space": Case(
        lambda: _with("epics/web/002.md", task_file("T", labels="[two words]")),
        422,
        "invalid_markdown",
        "epics/web/002.md",
        3,
    ),
    "not an archive": Case(lambda: b"hello, world", 422, "unsupported_upload", "epics.zip"),
    "empty upload": Case(lambda: b"", 422, "invalid_archive", "epics.zip"),
    "broken json": Case(lambda: b'{"epics": [\n\n oops', 422, "invalid_json", "epics.zip", 3),
    "bundle with an empty title": Case(
        lambda: bundle_bytes({"tasks": [{"key": "WEB-1", "title": ""}]}),
        422,
        "invalid_bundle",
        "epics.zip",
    ),
    "bundle with an unknown field": Case(
        lambda: bundle_bytes({"tasks": [{"key": "WEB-1", "title": "T", "role": "owner"}]}),
        422,
        "invalid_bundle",
        "epics.zip",
    ),
    "bundle with a dangling ref": Case(
        lambda: bundle_bytes({"tasks": [{"key": "WEB-1", "title": "T", "depends_on": ["XY-9"]}]}),
        422,
        "unknown_task",
        "epics.zip",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_refused_naming_the_file_with_the_project_unchanged(
    client: AsyncClient, board: Board, case: Case
) -> None:
    upload = case.upload()
    started = time.perf_counter()
    response = await import_archive(client, board.owner, "WEB", upload)
    elapsed = time.perf_counter() - started
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["file"]) == (case.code, case.file), body
    if case.line is not None:
        assert body["line"] == case.line, body
    assert case.file in body["detail"]
    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert await all_tasks(client, board.owner, "WEB") == []
    assert await project_events(client, board.owner, "WEB") == []


async def test_an_upload_over_20_mib_is_refused_with_413(client: AsyncClient, board: Board) -> None:
    response = await import_archive(client, board.owner, "WEB", b"PK\x03\x04" + b"x" * (20 * MiB))
    assert response.status_code == 413


async def test_a_request_without_a_file_is_a_validation_error(
    client: AsyncClient, board: Board
) -> None:
    response = await client.post("/api/v1/projects/WEB/import", headers=board.owner.headers)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_a_bad_file_among_good_ones_writes_nothing(client: AsyncClient, board: Board) -> None:
    files = {
        **GOOD,
        **{f"epics/web/{n:03d}.md": task_file(f"Task {n}") for n in range(2, 50)},
        "epics/web/050.md": task_file("Bad", depends_on="[999]"),
    }
    response = await import_archive(client, board.owner, "WEB", zip_of(files))
    assert response.status_code == 422
    assert await all_tasks(client, board.owner, "WEB") == []
    epics = await client.get("/api/v1/projects/WEB/epics", headers=board.owner.headers)
    assert epics.json()["items"] == []

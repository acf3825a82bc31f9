"""Reading an epics folder from disk for the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from epicflow.markdown import ArchiveLimits, MarkdownError, collect_tree, read_folder


def write(root: Path, rel: str, data: bytes = b"# Task: T\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_project_folder_with_epics(tmp_path: Path) -> None:
    write(tmp_path, "epics/pay/epic.md", b"# Epic: Pay\n")
    write(tmp_path, "epics/pay/001.md")
    write(tmp_path, "epics/pay/notes.txt", b"not markdown")
    write(tmp_path, "src/app.py", b"print()")
    assert read_folder(tmp_path) == {
        "epics/pay/epic.md": b"# Epic: Pay\n",
        "epics/pay/001.md": b"# Task: T\n",
        "epics/pay/notes.txt": b"not markdown",
    }


def test_a_project_folder_with_claude_epics_reads_only_that_subtree(tmp_path: Path) -> None:
    write(tmp_path, ".claude/epics/pay/001.md")
    write(tmp_path, ".claude/epics/archived/old/001.md")
    write(tmp_path, ".claude/prds/pay.md")
    write(tmp_path, "node_modules/x/README.md")
    # The epics folder is read whole, archived epics included; the rest of the project is not.
    assert set(read_folder(tmp_path)) == {
        ".claude/epics/pay/001.md",
        ".claude/epics/archived/old/001.md",
    }
    assert [f.slug for f in collect_tree(read_folder(tmp_path)).epics] == ["old", "pay"]


def test_an_epic_folder_itself(tmp_path: Path) -> None:
    folder = tmp_path / "payment-webhooks"
    write(folder, "epic.md", b"# Epic: Pay\n")
    write(folder, "001.md")
    write(folder, "updates/1/stream.md")
    write(folder, "test-foo.sh", b"#!/bin/sh\n\x00\xff")
    files = read_folder(folder)
    assert set(files) == {
        "payment-webhooks/epic.md",
        "payment-webhooks/001.md",
        "payment-webhooks/updates/1/stream.md",
        "payment-webhooks/test-foo.sh",
    }
    assert files["payment-webhooks/test-foo.sh"] == b"#!/bin/sh\n\x00\xff"
    assert collect_tree(files).epics[0].slug == "payment-webhooks"


def test_the_epics_folder_itself(tmp_path: Path) -> None:
    epics = tmp_path / ".claude" / "epics"
    write(epics, "pay/epic.md", b"# Epic: Pay\n")
    write(epics, "pay/001.md")
    write(epics, "ship/001.md")
    files = read_folder(epics)
    assert set(files) == {"pay/epic.md", "pay/001.md", "ship/001.md"}
    assert [f.slug for f in collect_tree(files).epics] == ["pay", "ship"]


def test_not_an_epics_folder(tmp_path: Path) -> None:
    write(tmp_path, "README.md")
    with pytest.raises(MarkdownError, match="no epics/"):
        read_folder(tmp_path)


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(MarkdownError, match="not a folder"):
        read_folder(write(tmp_path, "x.md"))


def test_symlink_escaping_the_folder_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.md", b"top secret")
    root = tmp_path / "project"
    write(root, "epics/pay/001.md")
    (root / "epics/pay/002.md").symlink_to(secret)
    with pytest.raises(MarkdownError, match="escapes") as info:
        read_folder(root)
    assert info.value.file == "epics/pay/002.md"


def test_symlinked_folder_escaping_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write(outside, "001.md")
    root = tmp_path / "project"
    (root / "epics").mkdir(parents=True)
    (root / "epics/pay").symlink_to(outside, target_is_directory=True)
    with pytest.raises(MarkdownError, match="escapes"):
        read_folder(root)


def test_symlink_inside_the_folder_is_followed(tmp_path: Path) -> None:
    write(tmp_path, "epics/pay/001.md", b"# Task: one\n")
    (tmp_path / "epics/pay/002.md").symlink_to(tmp_path / "epics/pay/001.md")
    assert read_folder(tmp_path)["epics/pay/002.md"] == b"# Task: one\n"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    write(tmp_path, "epics/pay/001.md")
    os.mkfifo(tmp_path / "epics/pay/002.md")
    with pytest.raises(MarkdownError, match="not a regular file"):
        read_folder(tmp_path)


def test_limits(tmp_path: Path) -> None:
    for i in range(4):
        write(tmp_path, f"epics/pay/00{i}.md", b"x" * 100)
    with pytest.raises(MarkdownError, match="more than 3 files"):
        read_folder(tmp_path, ArchiveLimits(max_members=3))
    with pytest.raises(MarkdownError, match="larger than"):
        read_folder(tmp_path, ArchiveLimits(max_member_bytes=99))
    with pytest.raises(MarkdownError, match="more than"):
        read_folder(tmp_path, ArchiveLimits(max_total_bytes=350))

"""Files beside the tasks in an epic folder: kept as attachments, tied to their task or skipped."""

from __future__ import annotations

import pytest

from epicflow.markdown import MAX_FILE_BYTES, Attachment, MarkdownError, Skipped, collect_tree

EPIC = b"---\nname: pay\nstatus: backlog\n---\n# Epic: Pay\n"
SCRIPT = b"#!/bin/sh\n\x00\xff binary is fine\n"


def task(title: str) -> bytes:
    return f"---\nname: {title}\nstatus: open\n---\n# Task: {title}\n".encode()


class TestAttachments:
    def test_every_other_file_of_an_epic_folder_is_an_attachment(self) -> None:
        tree = collect_tree(
            {
                "epics/pay/epic.md": EPIC,
                "epics/pay/001.md": task("One"),
                "epics/pay/003.md": task("Three"),
                "epics/pay/3-analysis.md": b"streams",
                "epics/pay/updates/3/progress.md": b"half done",
                "epics/pay/updates/001/stream-A.md": b"A",
                "epics/pay/updates/9/orphan.md": b"no task 9",
                "epics/pay/execution-status.md": b"status",
                "epics/pay/test-foo.sh": SCRIPT,
                "epics/README.md": b"index",
                "prds/pay.md": b"prd",
            }
        )
        [folder] = tree.epics
        assert folder.attachments == (
            Attachment("epics/pay/3-analysis.md", "3-analysis.md", "003"),
            Attachment("epics/pay/execution-status.md", "execution-status.md", None),
            Attachment("epics/pay/test-foo.sh", "test-foo.sh", None),
            Attachment("epics/pay/updates/001/stream-A.md", "updates/001/stream-A.md", "001"),
            Attachment("epics/pay/updates/3/progress.md", "updates/3/progress.md", "003"),
            Attachment("epics/pay/updates/9/orphan.md", "updates/9/orphan.md", None),
        )
        assert tree.skipped == (
            Skipped("epics/README.md", "outside any epic folder"),
            Skipped("prds/pay.md", "outside any epic folder"),
        )
        assert tree.ignored == ("epics/README.md", "prds/pay.md")

    def test_a_single_epic_folder_keeps_its_files_too(self) -> None:
        tree = collect_tree({"pay/epic.md": EPIC, "pay/001.md": task("A"), "pay/plan.md": b"p"})
        assert tree.epics[0].attachments == (Attachment("pay/plan.md", "plan.md", None),)

    def test_files_of_tasks_without_an_epic_are_skipped(self) -> None:
        tree = collect_tree(
            {"epics/unassigned/001.md": task("A"), "epics/unassigned/updates/1/x.md": b"x"}
        )
        assert tree.epics[0].attachments == ()
        [skipped] = tree.skipped
        assert skipped.path == "epics/unassigned/updates/1/x.md"
        assert "without an epic" in skipped.reason

    def test_an_attachment_over_the_file_cap_is_refused_by_name(self) -> None:
        big = b"x" * (MAX_FILE_BYTES + 1)
        with pytest.raises(MarkdownError, match=r"^epics/pay/dump\.bin: .*larger"):
            collect_tree({"epics/pay/001.md": task("A"), "epics/pay/dump.bin": big})


class TestArchived:
    def test_an_archived_epic_is_an_epic_folder_marked_archived(self) -> None:
        tree = collect_tree(
            {
                ".claude/epics/pay/001.md": task("A"),
                ".claude/epics/archived/old/epic.md": EPIC.replace(b"pay", b"old"),
                ".claude/epics/archived/old/001.md": task("Old"),
                ".claude/epics/archived/old/updates/1/done.md": b"done",
            }
        )
        old, pay = tree.epics
        assert (old.slug, old.folder, old.archived) == ("old", ".claude/epics/archived/old", True)
        assert [t.title for t in old.tasks] == ["Old"]
        assert old.attachments == (
            Attachment(".claude/epics/archived/old/updates/1/done.md", "updates/1/done.md", "001"),
        )
        assert pay.archived is False
        assert tree.skipped == ()

    def test_an_archived_epic_named_like_a_live_one_is_skipped_file_by_file(self) -> None:
        tree = collect_tree(
            {
                "epics/pay/001.md": task("A"),
                "epics/archived/pay/epic.md": EPIC,
                "epics/archived/pay/001.md": task("Old"),
            }
        )
        assert [folder.slug for folder in tree.epics] == ["pay"]
        assert [item.path for item in tree.skipped] == [
            "epics/archived/pay/001.md",
            "epics/archived/pay/epic.md",
        ]
        assert all("clashes with the live epic pay" in s.reason for s in tree.skipped)

    def test_an_epic_named_archived_is_a_live_epic(self) -> None:
        tree = collect_tree({"epics/archived/001.md": task("A"), "epics/archived/x/y.md": b"y"})
        [folder] = tree.epics
        assert (folder.slug, folder.archived) == ("archived", False)
        assert folder.attachments == (Attachment("epics/archived/x/y.md", "x/y.md", None),)

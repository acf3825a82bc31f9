"""Finding epics and tasks in an unpacked archive, and writing the export tree."""

from __future__ import annotations

import pytest

from epicflow.markdown import (
    EpicDoc,
    EpicFolder,
    MarkdownError,
    TaskDoc,
    Tree,
    collect_tree,
    render_tree,
)

EPIC = b"---\nname: pay\nstatus: backlog\n---\n# Epic: Pay\n"


def task(title: str, extra: str = "") -> bytes:
    return f"---\nname: {title}\nstatus: open\n{extra}---\n# Task: {title}\n".encode()


def slugs(tree: Tree) -> list[str]:
    return [folder.slug for folder in tree.epics]


class TestLayouts:
    def test_epics_folder(self) -> None:
        tree = collect_tree(
            {
                "epics/pay/epic.md": EPIC,
                "epics/pay/002.md": task("Second"),
                "epics/pay/001.md": task("First", "depends_on: [002]\n"),
                "epics/pay/README.md": b"notes",
                "epics/pay/3-analysis.md": b"ccpm analysis",
                "epics/pay/updates/1/stream-A.md": b"progress",
                "epics/README.md": b"index",
                "other.txt": b"x",
            }
        )
        [folder] = tree.epics
        assert folder.slug == "pay"
        assert folder.folder == "epics/pay"
        assert folder.epic is not None
        assert folder.epic.title == "Pay"
        assert [t.ref for t in folder.tasks] == ["001", "002"]
        assert folder.tasks[0].depends_on == ("002",)
        assert [item.rel for item in folder.attachments] == [
            "3-analysis.md",
            "README.md",
            "updates/1/stream-A.md",
        ]
        assert tree.ignored == ("epics/README.md", "other.txt")

    def test_claude_epics_folder_with_archived_epics(self) -> None:
        tree = collect_tree(
            {
                ".claude/epics/pay/epic.md": EPIC,
                ".claude/epics/pay/001.md": task("First"),
                ".claude/epics/archived/old/epic.md": EPIC,
                ".claude/prds/pay.md": b"prd",
            }
        )
        assert slugs(tree) == ["old", "pay"]
        assert tree.epics[1].folder == ".claude/epics/pay"
        assert tree.ignored == (".claude/prds/pay.md",)

    def test_slug_folders_at_the_root(self) -> None:
        tree = collect_tree(
            {"pay/epic.md": EPIC, "pay/001.md": task("A"), "ship/001.md": task("B")}
        )
        assert slugs(tree) == ["pay", "ship"]
        assert tree.epics[1].epic is None

    def test_a_single_epic_folder_at_the_root_takes_its_slug_from_name(self) -> None:
        tree = collect_tree({"epic.md": EPIC, "001.md": task("A")})
        assert tree.epics == (
            EpicFolder(
                slug="pay",
                folder="",
                epic=EpicDoc(slug="pay", title="Pay"),
                tasks=(TaskDoc(ref="001", title="A"),),
            ),
        )

    def test_a_single_epic_at_the_root_without_a_name_is_an_error(self) -> None:
        with pytest.raises(MarkdownError, match=r"^epic\.md: .*slug"):
            collect_tree({"epic.md": b"# Epic: Pay\n", "001.md": task("A")})

    def test_one_wrapping_folder_is_looked_through(self) -> None:
        tree = collect_tree({"shop-main/.claude/epics/pay/001.md": task("A")})
        assert tree.epics[0].folder == "shop-main/.claude/epics/pay"

    def test_macos_junk_beside_a_wrapping_folder_is_ignored(self) -> None:
        tree = collect_tree(
            {
                "shop/epics/pay/001.md": task("A"),
                "__MACOSX/shop/epics/pay/._001.md": b"\x00\x05\x16\x07",
                ".DS_Store": b"\x00",
            }
        )
        assert tree.epics[0].folder == "shop/epics/pay"
        assert tree.ignored == (".DS_Store", "__MACOSX/shop/epics/pay/._001.md")

    def test_unassigned_folder_has_no_epic(self) -> None:
        tree = collect_tree({"epics/unassigned/004.md": task("Loose")})
        assert tree.epics[0].slug == "unassigned"
        assert tree.epics[0].epic is None

    def test_tasks_are_ordered_by_number(self) -> None:
        files = {f"epics/pay/{name}.md": task(name) for name in ("010", "2", "001")}
        assert [t.ref for t in collect_tree(files).epics[0].tasks] == ["001", "2", "010"]


class TestErrors:
    def test_nothing_found(self) -> None:
        with pytest.raises(MarkdownError, match=r"^upload\.zip: no epics found"):
            collect_tree({"README.md": b"x"}, source="upload.zip")

    def test_both_layouts(self) -> None:
        with pytest.raises(MarkdownError, match="both"):
            collect_tree({"epics/a/001.md": task("A"), ".claude/epics/b/001.md": task("B")})

    def test_bad_folder_name(self) -> None:
        with pytest.raises(MarkdownError, match=r"^epics/My Epic: .*kebab-case"):
            collect_tree({"epics/My Epic/001.md": task("A")})

    def test_errors_name_the_file_and_line(self) -> None:
        files = {"epics/pay/epic.md": EPIC, "epics/pay/002.md": task("B", "depends_on: 1\n")}
        with pytest.raises(MarkdownError) as info:
            collect_tree(files)
        assert str(info.value) == "epics/pay/002.md:4: depends_on must be a list"

    def test_bad_bytes_name_the_file(self) -> None:
        # 0x81 is neither UTF-8 nor Windows-1252.
        with pytest.raises(MarkdownError, match=r"^epics/pay/epic\.md:1: .*UTF-8"):
            collect_tree({"epics/pay/epic.md": b"\x81"})

    def test_windows_1252_is_read_with_a_warning(self) -> None:
        data = "---\nname: pay\n---\n\n# Epic: Pay\n\nRené\u2019s plan\n".encode("cp1252")
        tree = collect_tree({"epics/pay/epic.md": data})
        assert tree.epics[0].epic is not None
        assert "René\u2019s plan" in tree.epics[0].epic.description
        (warning,) = tree.warnings
        assert (warning.file, warning.line, warning.code) == ("epics/pay/epic.md", 7, "encoding")
        assert warning.message.startswith("not UTF-8 (byte 0xe9 at offset")


class TestRenderTree:
    EPICS = (EpicDoc(slug="pay", title="Pay"), EpicDoc(slug="ship", title="Ship"))
    TASKS = {
        "pay": [TaskDoc(ref="002", title="B"), TaskDoc(ref="001", title="A")],
        None: [TaskDoc(ref="1", title="Loose")],
    }

    def test_paths(self) -> None:
        files = render_tree(self.EPICS, self.TASKS)
        assert list(files) == [
            "epics/pay/001.md",
            "epics/pay/002.md",
            "epics/pay/epic.md",
            "epics/ship/epic.md",
            "epics/unassigned/1.md",
        ]

    def test_export_import_round_trip(self) -> None:
        files = render_tree(self.EPICS, self.TASKS)
        tree = collect_tree({path: text.encode() for path, text in files.items()})
        assert [f.epic for f in tree.epics] == [*self.EPICS, None]
        assert [f.tasks for f in tree.epics] == [
            (TaskDoc(ref="001", title="A"), TaskDoc(ref="002", title="B")),
            (),
            (TaskDoc(ref="1", title="Loose"),),
        ]
        assert tree.ignored == ()

    @pytest.mark.parametrize(
        ("epics", "tasks", "fragment"),
        [
            ((), {"nope": [TaskDoc(ref="1", title="T")]}, "unknown epic"),
            (EPICS, {"pay": [TaskDoc(ref="1", title="A"), TaskDoc(ref="1", title="B")]}, "twice"),
            ((*EPICS, EpicDoc(slug="pay", title="Again")), {}, "twice"),
            (
                (EpicDoc(slug="unassigned", title="U"),),
                {None: [TaskDoc(ref="1", title="T")]},
                "unassigned",
            ),
        ],
    )
    def test_refused(
        self,
        epics: tuple[EpicDoc, ...],
        tasks: dict[str | None, list[TaskDoc]],
        fragment: str,
    ) -> None:
        with pytest.raises(MarkdownError, match=fragment):
            render_tree(epics, tasks)

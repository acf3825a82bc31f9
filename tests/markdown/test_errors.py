"""Every bad input raises MarkdownError naming the file and, where known, the line."""

from __future__ import annotations

import pickle

import pytest

from epicflow.markdown import (
    EpicDoc,
    MarkdownError,
    TaskDoc,
    decode_text,
    parse_epic,
    parse_task,
    render_epic,
    render_task,
)

FILE = "epics/x/003.md"


def test_message_format() -> None:
    err = MarkdownError(FILE, 4, "depends_on must be a list")
    assert str(err) == "epics/x/003.md:4: depends_on must be a list"
    assert (err.file, err.line, err.message) == (FILE, 4, "depends_on must be a list")
    assert str(MarkdownError(FILE, None, "too big")) == "epics/x/003.md: too big"
    assert isinstance(err, ValueError)
    assert str(pickle.loads(pickle.dumps(err))) == str(err)  # noqa: S301 - our own bytes


def raises(text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(MarkdownError) as info:
        parse_task(text, filename=FILE)
    assert info.value.file == FILE
    assert info.value.line == line, str(info.value)
    assert fragment in info.value.message, str(info.value)


FM = "---\nname: T\n"

BAD_TASKS = [
    (FM + "status: open\ndepends_on: 002\n---\n", 4, "depends_on must be a list"),
    (FM + "conflicts_with: {a: 1}\n---\n", 3, "scalars or lists of scalars"),
    (FM + "depends_on: [[002]]\n---\n", 3, "scalars or lists of scalars"),
    (FM + "depends_on:\n  - 002\n  - task two\n---\n", 5, "not a task reference"),
    (FM + "depends_on: [../003]\n---\n", 3, "not a task reference"),
    (FM + "status: wip\n---\n", 3, "unknown status 'wip'"),
    (FM + "epicflow_status: paused\n---\n", 3, "unknown epicflow_status"),
    (FM + "priority: 7\n---\n", 3, "priority"),
    (FM + "priority: soonish\n---\n", 3, "priority"),
    (FM + "parallel: maybe\n---\n", 3, "parallel must be true or false"),
    (FM + "created: yesterday\n---\n", 3, "created must be an ISO 8601"),
    (FM + "labels: backend\n---\n", 3, "labels must be a list"),
    (FM + "labels: ['']\n---\n", 3, "empty"),
    (FM + "meta:\n  owner: me\n---\n", 4, "scalars or lists of scalars"),
    (FM + "name: again\n---\n", 3, "duplicate key 'name'"),
    (FM + "Name: again\n---\n", 3, "duplicate key"),
    (FM + "assignee: [a, b]\n---\n", 3, "assignee must be a single value"),
    (FM + "[a]: b\n---\n", 3, "keys must be"),
    ("---\n- a\n- b\n---\n", 2, "frontmatter must be a mapping"),
    ("---\nname: T\n", 1, "not closed"),
    (FM + "key: [unclosed\n---\n", 4, "invalid YAML"),
    (FM + "\tname: tab\n---\n", 3, "invalid YAML"),
    (FM + "---\n# Task: T\n## Effort Estimate\n- Hours: -3\n", 6, "hours must be"),
    (FM + "---\n## Effort Estimate\n- Hours: lots\n", 5, "hours must be"),
    (FM + "---\n## Effort Estimate\n- Hours: inf\n", 5, "hours must be"),
    (FM + "---\n## Effort Estimate\n- Hours: 1e400\n", 5, "hours must be"),
    (FM + "---\n## Effort Estimate\n- Hours: 20000\n", 5, "hours must be"),
    (FM + "---\n## Effort Estimate\n\n- Size: XXL\n", 6, "size must be one of XS, S, M, L, XL"),
    (FM + "---\n## Effort Estimate\n- Parallel: sometimes\n", 5, "parallel must be"),
    (FM + "---\n# Task: " + "x" * 201 + "\n", 4, "title is longer than 200"),
    ("---\nname: " + "y" * 201 + "\n---\n", 2, "title is longer than 200"),
    ("---\nstatus: open\n---\n\n## Description\nx\n", None, "no title"),
    (FM + "---\n## Description\na\n## description\nb\n", 6, "duplicate section"),
    (FM + "---\n## Description\nbell \x07 here\n", 5, "control character U+0007"),
    (FM + "---\nnext line \x85 here\n", 4, "control character U+0085"),
    (FM + "---\nlone \ud800 surrogate\n", 4, "surrogate"),
    (FM + "x: \ufffe\n---\n", 3, "U+FFFE"),
    (FM + "---\nzero \x00 byte\n", 4, "NUL"),
]


@pytest.mark.parametrize(("text", "line", "fragment"), BAD_TASKS)
def test_bad_task_files(text: str, line: int | None, fragment: str) -> None:
    raises(text, line, fragment)


def test_task_file_names_must_be_refs() -> None:
    with pytest.raises(MarkdownError, match=r"^epics/x/README\.md: .*like 001\.md"):
        parse_task("# Task: T\n", filename="epics/x/README.md")


def test_a_file_over_5_mib_is_refused() -> None:
    text = "# Task: T\n## Description\n" + "x" * (5 * 1024 * 1024)
    with pytest.raises(MarkdownError, match="larger than 5 MiB"):
        parse_task(text, filename=FILE)
    with pytest.raises(MarkdownError, match="larger than 5 MiB"):
        decode_text(text.encode(), FILE)


class TestDecode:
    def test_utf8_with_bom_and_crlf(self) -> None:
        text = decode_text("\ufeff# Task: Ü\r\n".encode(), FILE)
        assert parse_task(text, filename=FILE).title == "Ü"

    @pytest.mark.parametrize(
        ("data", "line", "fragment"),
        [
            (b"---\nname: a\n---\n\xc3\x28\n", 4, "not valid UTF-8"),
            (b"# Task: a\n\n\xff", 3, "not valid UTF-8"),
            (b"# Task: a\nx\x00y", 2, "binary"),
            ("# Task: a".encode("utf-16"), None, "UTF-16"),
            (b"\x89PNG\r\n\x1a\n\x00\x00", 3, "binary"),
        ],
    )
    def test_bad_bytes(self, data: bytes, line: int | None, fragment: str) -> None:
        with pytest.raises(MarkdownError) as info:
            decode_text(data, FILE)
        assert (info.value.file, info.value.line) == (FILE, line)
        assert fragment in info.value.message


class TestBadEpics:
    @pytest.mark.parametrize(
        ("text", "slug", "line", "fragment"),
        [
            ("---\nstatus: someday\n---\n", "s", 2, "unknown status 'someday'"),
            ("# Epic: " + "e" * 201 + "\n", "s", 1, "title is longer than 200"),
            ("# Epic: T\n", "Not A Slug", None, "kebab-case"),
            ("---\nprd: [a, b]\n---\n", "s", 2, "prd must be a single value"),
            ("---\nname: x\n---\n\x1cred\n", "s", 4, "control character U+001C"),
        ],
    )
    def test_bad_epic_files(self, text: str, slug: str, line: int | None, fragment: str) -> None:
        with pytest.raises(MarkdownError) as info:
            parse_epic(text, slug=slug, filename="epics/s/epic.md")
        assert (info.value.file, info.value.line) == ("epics/s/epic.md", line)
        assert fragment in info.value.message


class TestRenderRefusesValuesThatCannotBeWritten:
    @pytest.mark.parametrize(
        "doc",
        [
            TaskDoc(ref="1", title=""),
            TaskDoc(ref="1", title="two\nlines"),
            TaskDoc(ref="1", title=" padded "),
            TaskDoc(ref="1", title="x" * 201),
            TaskDoc(ref="abc", title="T"),
            TaskDoc(ref="1", title="T", status="closed"),
            TaskDoc(ref="1", title="T", priority=5),
            TaskDoc(ref="1", title="T", priority=2.0),  # type: ignore[arg-type]
            TaskDoc(ref="1", title="T", priority=True),
            TaskDoc(ref="1", title="T", extra={"n": 5}),  # type: ignore[dict-item]
            TaskDoc(ref="1", title="T", size="XXL"),
            TaskDoc(ref="1", title="T", hours=-1.0),
            TaskDoc(ref="1", title="T", hours=float("nan")),
            TaskDoc(ref="1", title="T", depends_on=("x",)),
            TaskDoc(ref="1", title="T", labels=("",)),
            TaskDoc(ref="1", title="T", created="yesterday"),
            TaskDoc(ref="1", title="T", description="bell \x07"),
            TaskDoc(ref="1", title="T", extra={"status": "x"}),
            TaskDoc(ref="1", title="T", extra={"": "x"}),
        ],
    )
    def test_task(self, doc: TaskDoc) -> None:
        with pytest.raises(MarkdownError) as info:
            render_task(doc)
        assert info.value.file == f"{doc.ref}.md"

    @pytest.mark.parametrize(
        "doc",
        [
            EpicDoc(slug="Bad Slug", title="T"),
            EpicDoc(slug="s", title="T", status="open"),
            EpicDoc(slug="s", title="T", extra={"title": "x"}),
        ],
    )
    def test_epic(self, doc: EpicDoc) -> None:
        with pytest.raises(MarkdownError):
            render_epic(doc)

"""Frontmatter is untrusted: safe loading only, plain data only, bounded time and memory."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from epicflow.markdown import MarkdownError, parse_epic, parse_task
from tests.support.markdown_samples import BILLION_LAUGHS


@contextmanager
def bounded(seconds: float, mib: float) -> Iterator[None]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.2f}s"
    assert peak < mib * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MiB"


def refused(text: str, fragment: str) -> MarkdownError:
    with pytest.raises(MarkdownError) as info:
        parse_task(text, filename="001.md")
    assert info.value.file == "001.md"
    assert fragment in info.value.message, str(info.value)
    return info.value


def test_billion_laughs_is_refused_fast_with_bounded_memory() -> None:
    with bounded(seconds=1.0, mib=5):
        err = refused(BILLION_LAUGHS, "anchors")
    assert err.line == 3


def test_a_5_mib_frontmatter_is_refused_fast() -> None:
    text = "---\n" + "k: v\n" * (5 * 1024 * 1024 // 5 - 10) + "---\n# Task: T\n"
    with bounded(seconds=1.0, mib=64):
        err = refused(text, "frontmatter is larger than 64 KiB")
    assert err.line == 1


def test_frontmatter_just_under_64_kib_is_fine() -> None:
    text = "---\nname: T\nnotes: " + "n" * (60 * 1024) + "\n---\n"
    assert len(parse_task(text, filename="1.md").extra["notes"]) == 60 * 1024


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    # The composer stops at the third level; PyYAML's scanner looks at most 1024 characters
    # ahead for simple keys, so the work is bounded whatever the depth (about 0.3 s here).
    text = "---\nname: T\nx: " + "[" * 20_000 + "]" * 20_000 + "\n---\n"
    with bounded(seconds=5.0, mib=64):
        refused(text, "scalars or lists of scalars")


@pytest.mark.parametrize(
    ("frontmatter", "fragment", "line"),
    [
        ("a: &x 1\nb: *x\n", "anchors", 3),
        ("a: *undefined\n", "aliases", 3),
        ("x: !!python/object/apply:os.system ['echo hi']\n", "tags", 3),
        ("x: !!python/name:os.system\n", "tags", 3),
        ("x: !custom value\n", "tags", 3),
        ("x: !!str 010\n", "tags", 3),
        ("x: !!binary aGVsbG8=\n", "tags", 3),
        ("x: ! text\n", "tags", 3),
        ("x: !!set {a, b}\n", "tags", 3),
        ("!!python/object:os.system x: 1\n", "tags", 3),
        ("<<: {a: 1}\n", "merge", 3),
        ("<<: 1\n", "merge", 3),
        ("? [a, b]\n: c\n", "keys must be", 3),
        ("x: {a: 1}\n", "scalars or lists of scalars", 3),
        ("x: [{a: 1}]\n", "scalars or lists of scalars", 3),
        ("%YAML 1.1\n", "invalid YAML", None),
    ],
)
def test_unsafe_or_non_plain_yaml_is_refused(
    frontmatter: str, fragment: str, line: int | None
) -> None:
    err = refused("---\nname: T\n" + frontmatter + "---\n", fragment)
    if line is not None:
        assert err.line == line


@pytest.mark.parametrize(
    "parse",
    [
        lambda t: parse_task(t, filename="1.md"),
        lambda t: parse_epic(t, slug="s", filename="epic.md"),
    ],
)
def test_epics_are_held_to_the_same_rules(parse: Callable[[str], object]) -> None:
    with pytest.raises(MarkdownError, match="anchors"):
        parse(BILLION_LAUGHS)


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    doc = parse_task("---\nname: T\n'<<': x\n---\n", filename="1.md")
    assert doc.extra == {"<<": "x"}


def test_values_keep_their_text() -> None:
    text = (
        "---\nname: T\nwhen: 2025-01-02\nflag: yes\nnum: 010\nfloat: 1e3\nnothing: ~\n"
        "empty:\nlist: [1, '2', ~]\nblock: |\n  two\n  lines\n---\n"
    )
    assert parse_task(text, filename="1.md").extra == {
        "when": "2025-01-02",
        "flag": "yes",
        "num": "010",
        "float": "1e3",
        "nothing": "~",
        "empty": "",
        "list": "[1, 2, ~]",
        "block": "two\nlines\n",
    }

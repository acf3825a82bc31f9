"""Splitting a file into frontmatter and body, and typed access to frontmatter fields."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime

from epicflow.markdown import emit, textfile
from epicflow.markdown.errors import (
    MAX_FRONTMATTER_BYTES,
    MarkdownError,
    check_chars,
    check_size,
    line_of,
)
from epicflow.markdown.safeyaml import Entry, Scalar, Seq, load_mapping

MAX_KEY_CHARS = 100
_LEADING_BLANKS = re.compile(r"(?:[ \t]*\n)*")
_OPEN = re.compile(r"---[ \t]*(?:\n|\Z)")
_CLOSE = re.compile(r"\n---[ \t]*(?:\n|\Z)")
# Forks of ccpm put the metadata in a fenced yaml block right under the first heading.
_YAML_BLOCK = re.compile(
    r"(#[^\n]*\n(?:[ \t]*\n)*)```ya?ml[ \t]*\n(.*?\n)?```[ \t]*(?:\n|\Z)", re.DOTALL
)
_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})


class Fields:
    """The frontmatter of one file. Known keys match case-insensitively; ``take_*`` removes a
    field and checks its type; whatever is not taken ends up in ``extras()``."""

    def __init__(self, entries: list[Entry], filename: str, known: frozenset[str]) -> None:
        self.file = filename
        self._entries: dict[str, Entry] = {}
        for entry in entries:
            name = entry.key.lower() if entry.key.lower() in known else entry.key
            if not entry.key.strip():
                raise MarkdownError(filename, entry.line, "empty frontmatter key")
            if len(entry.key) > MAX_KEY_CHARS:
                raise MarkdownError(filename, entry.line, "frontmatter key is too long")
            if name in self._entries:
                raise MarkdownError(filename, entry.line, f"duplicate key {name!r}")
            self._entries[name] = entry

    def error(self, line: int | None, message: str) -> MarkdownError:
        return MarkdownError(self.file, line, message)

    def take(self, name: str) -> Entry | None:
        return self._entries.pop(name, None)

    def has(self, name: str) -> bool:
        return name in self._entries

    def line_of(self, name: str) -> int | None:
        entry = self._entries.get(name)
        return None if entry is None else entry.line

    def take_null(self, name: str) -> str | None:
        """The text of a field written as null (``null``, ``~``, nothing), taking it; None (and
        the field left in place) when it is absent or has a value."""
        entry = self._entries.get(name)
        if entry is None or not isinstance(entry.value, Scalar) or not entry.value.is_null:
            return None
        del self._entries[name]
        return entry.value.text

    def take_text(
        self, name: str, *, placeholder_lists: bool = False
    ) -> tuple[str | None, int | None]:
        """A single value's text, stripped; None when absent, null or empty. With
        ``placeholder_lists`` a list reads as unset (ccpm writes ``github: [Will be updated
        when synced to GitHub]``) instead of being an error."""
        entry = self.take(name)
        if entry is None:
            return None, None
        if isinstance(entry.value, Seq):
            if placeholder_lists:
                return None, entry.line
            raise self.error(entry.line, f"{name} must be a single value, not a list")
        if entry.value.is_null:
            return None, entry.line
        return entry.value.text.strip() or None, entry.line

    def take_flag(self, name: str) -> bool | None:
        text, line = self.take_text(name)
        return None if text is None else parse_flag(text, name, self.file, line)

    def take_time(self, name: str) -> str | None:
        text, line = self.take_text(name)
        if text is not None and not is_timestamp(text):
            raise self.error(line, f"{name} must be an ISO 8601 date or time, not {text!r}")
        return text

    def take_list(self, name: str) -> list[tuple[str, int]]:
        """A list's entries as (stripped text, line); absent or null means empty."""
        entry = self.take(name)
        if entry is None:
            return []
        if isinstance(entry.value, Scalar):
            if entry.value.is_null or not entry.value.text.strip():
                return []
            raise self.error(entry.line, f"{name} must be a list")
        items = []
        for item in entry.value.items:
            text = item.text.strip()
            if not text or item.is_null:
                raise self.error(item.line, f"empty entry in {name}")
            items.append((text, item.line))
        return items

    def extras(self) -> dict[str, str]:
        """Every field not taken, as text: scalars as written, lists as canonical flow text."""
        out: dict[str, str] = {}
        for entry in self._entries.values():
            value = entry.value
            if isinstance(value, Seq):
                out[entry.key] = emit.flow_list([item.text for item in value.items], typed=True)
            else:
                out[entry.key] = value.text
        return out


def parse_flag(text: str, name: str, filename: str, line: int | None) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise MarkdownError(filename, line, f"{name} must be true or false, not {text!r}")


def is_timestamp(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Document:
    """``layout``: where the metadata was; ``newline``, ``bom``: the file's line end and byte
    order mark (as in ``model.Form``)."""

    fields: Fields
    body: list[str]
    body_line: int
    layout: str = "frontmatter"
    newline: str = textfile.LF
    bom: bool = False


def split_document(text: str, filename: str, known: frozenset[str]) -> Document:
    """Checks size and characters, then splits off ``---`` frontmatter (optional)."""
    check_size(text, filename)
    plain = textfile.plain(text)
    document = _split(plain.text, filename, known)
    return dataclasses.replace(document, newline=plain.newline, bom=plain.bom)


def _split(text: str, filename: str, known: frozenset[str]) -> Document:
    check_chars(text, filename)
    start = _LEADING_BLANKS.match(text)
    assert start is not None
    opening = _OPEN.match(text, start.end())
    if opening is None:
        return _without_frontmatter(text, start.end(), filename, known)
    open_line = line_of(text, opening.start())
    end = opening.end()
    closing = _CLOSE.search(text, end - 1, end + MAX_FRONTMATTER_BYTES + 8)
    if closing is None:
        if len(text) - end > MAX_FRONTMATTER_BYTES:
            raise MarkdownError(filename, open_line, "frontmatter is larger than 64 KiB")
        raise MarkdownError(filename, open_line, "frontmatter is not closed (no --- line)")
    yaml_text = text[end : closing.start() + 1]
    if len(yaml_text.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        raise MarkdownError(filename, open_line, "frontmatter is larger than 64 KiB")
    entries = load_mapping(yaml_text, filename, open_line + 1)
    body_line = line_of(text, closing.end() - 1) + (1 if text[closing.end() - 1] == "\n" else 0)
    return Document(Fields(entries, filename, known), text[closing.end() :].split("\n"), body_line)


def _without_frontmatter(text: str, start: int, filename: str, known: frozenset[str]) -> Document:
    """A yaml block under the first heading, read as frontmatter; its lines become blank lines
    of the body so that every other line keeps its number."""
    block = _YAML_BLOCK.match(text, start)
    lines = text.split("\n")
    if block is None:
        return Document(Fields([], filename, known), lines, 1, "none")
    yaml_text = block.group(2) or ""
    if len(yaml_text.encode("utf-8")) > MAX_FRONTMATTER_BYTES:
        raise MarkdownError(filename, line_of(text, block.end(1)), "metadata is larger than 64 KiB")
    first = line_of(text, block.end(1))
    # A yaml example at the top of a description is content: metadata names a known field.
    if not any(_starts_with_key(line, known) for line in yaml_text.split("\n")):
        return Document(Fields([], filename, known), lines, 1, "none")
    entries = load_mapping(yaml_text, filename, first + 1)
    last = line_of(text, block.end() - 1)
    for index in range(first - 1, last):
        lines[index] = ""
    return Document(Fields(entries, filename, known), lines, 1, "yaml")


def _starts_with_key(line: str, known: frozenset[str]) -> bool:
    key, colon, _ = line.partition(":")
    return bool(colon) and key.strip().lower() in known and not line[:1].isspace()

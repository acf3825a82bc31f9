"""Strict YAML for frontmatter: a flat mapping of scalars and lists of scalars, nothing else.

The loader is a ``SafeLoader`` whose composer refuses, as soon as it meets them, anchors and
aliases (so "billion laughs" stops at its first ``&``), every explicit tag (``!!python/...``,
``!custom``, even ``!!str``), merge keys (``<<``), non-scalar keys, and nesting deeper than
mapping -> list -> scalar (so deep ``[[[[...`` stops at the third level, without recursion).

Nothing is constructed: every scalar keeps its text as written (``010`` stays ``"010"``,
``2025-01-02`` stays a string, ``yes`` stays ``"yes"``); callers interpret the text per field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from epicflow.markdown.errors import MarkdownError

NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"


@dataclass(frozen=True)
class Scalar:
    text: str
    tag: str
    plain: bool
    line: int

    @property
    def is_null(self) -> bool:
        return self.plain and self.tag == NULL_TAG


@dataclass(frozen=True)
class Seq:
    items: tuple[Scalar, ...]
    line: int


Value = Scalar | Seq


@dataclass(frozen=True)
class Entry:
    key: str
    value: Value
    line: int


class _Refused(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


# libyaml's parser when PyYAML has it (20x faster than the pure-Python one); only its event
# stream is used, so nothing is ever composed or constructed beyond what the walk below allows.
_PARSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_EXPECTED_VALUE = "frontmatter values must be scalars or lists of scalars"


def _checked(event: yaml.Event) -> yaml.Event:
    """Refuse anchors, aliases and every explicit tag as soon as they appear."""
    if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
        raise _Refused("YAML anchors and aliases (& and *) are not allowed", event.start_mark)
    if getattr(event, "tag", None) is not None:
        raise _Refused("YAML tags (! and !!) are not allowed", event.start_mark)
    return event


def _scalar(event: ScalarEvent, first_line: int) -> Scalar:
    tag: str = _RESOLVER.resolve(ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    plain = not event.style  # libyaml says "" for plain, the pure-Python parser None
    return Scalar(event.value, tag, plain, first_line + event.start_mark.line)


def _sequence(events: Iterator[yaml.Event], start: yaml.Event, first_line: int) -> Seq:
    items = []
    while not isinstance(event := _checked(next(events)), SequenceEndEvent):
        if not isinstance(event, ScalarEvent):
            raise _Refused(_EXPECTED_VALUE, event.start_mark)
        items.append(_scalar(event, first_line))
    return Seq(tuple(items), first_line + start.start_mark.line)


def _entry(events: Iterator[yaml.Event], key: yaml.Event, first_line: int) -> Entry:
    if not isinstance(key, ScalarEvent):
        raise _Refused("frontmatter keys must be plain strings", key.start_mark)
    if key.value == "<<" and key.implicit[0]:
        raise _Refused("YAML merge keys (<<) are not allowed", key.start_mark)
    event = _checked(next(events))
    if isinstance(event, ScalarEvent):
        value: Value = _scalar(event, first_line)
    elif isinstance(event, SequenceStartEvent):
        value = _sequence(events, event, first_line)
    else:
        raise _Refused(_EXPECTED_VALUE, event.start_mark)
    return Entry(key.value, value, first_line + key.start_mark.line)


def _entries(events: Iterator[yaml.Event], first_line: int) -> list[Entry]:
    """The one document of the stream, which must be a flat mapping (or empty)."""
    event = next(events)
    while isinstance(event, StreamStartEvent | DocumentStartEvent):
        event = next(events)
    if isinstance(event, StreamEndEvent):
        return []
    _checked(event)
    if isinstance(event, ScalarEvent) and event.implicit[0] and event.value == "":
        return []
    if not isinstance(event, MappingStartEvent):
        raise _Refused("frontmatter must be a mapping of keys to values", event.start_mark)
    entries = []
    while not isinstance(key := _checked(next(events)), MappingEndEvent):
        entries.append(_entry(events, key, first_line))
    for event in events:  # the rest of the stream: a second document is an error too
        if isinstance(event, DocumentStartEvent):
            raise _Refused("expected a single document in the stream", event.start_mark)
    return entries


def load_mapping(text: str, filename: str, first_line: int) -> list[Entry]:
    """Parse frontmatter text whose first line is line ``first_line`` of ``filename``."""
    try:
        return _entries(iter(yaml.parse(text, Loader=_PARSER)), first_line)
    except _Refused as exc:
        line = None if exc.mark is None else first_line + exc.mark.line
        raise MarkdownError(filename, line, exc.message) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else first_line + mark.line
        problem = exc.problem or exc.context or "syntax error"
        raise MarkdownError(filename, line, f"invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise MarkdownError(filename, None, f"invalid YAML: {exc}") from None


def resolves_to(text: str) -> str:
    """The tag a plain scalar with this text gets from YAML 1.1 implicit resolution."""
    tag: str = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


_RESOLVER = yaml.resolver.Resolver()

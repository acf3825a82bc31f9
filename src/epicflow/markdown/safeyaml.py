"""Strict YAML for frontmatter: a flat mapping of scalars and lists of scalars, nothing else.

The loader is a ``SafeLoader`` whose composer refuses, as soon as it meets them, anchors and
aliases (so "billion laughs" stops at its first ``&``), every explicit tag (``!!python/...``,
``!custom``, even ``!!str``), merge keys (``<<``), non-scalar keys, and nesting deeper than
mapping -> list -> scalar (so deep ``[[[[...`` stops at the third level, without recursion).

Nothing is constructed: every scalar keeps its text as written (``010`` stays ``"010"``,
``2025-01-02`` stays a string, ``yes`` stays ``"yes"``); callers interpret the text per field.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

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


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that composes only plain data and refuses everything else early."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: object) -> Node | None:
        event: yaml.Event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused("YAML anchors and aliases (& and *) are not allowed", event.start_mark)
        if getattr(event, "tag", None) is not None:
            raise _Refused("YAML tags (! and !!) are not allowed", event.start_mark)
        self._check_shape(event, index)
        self._depth += 1
        try:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1

    def _check_shape(self, event: yaml.Event, index: object) -> None:
        is_scalar = isinstance(event, ScalarEvent)
        if self._depth == 0 and not isinstance(event, MappingStartEvent):
            raise _Refused("frontmatter must be a mapping of keys to values", event.start_mark)
        if self._depth == 1 and index is None:
            if not is_scalar:
                raise _Refused("frontmatter keys must be plain strings", event.start_mark)
            assert isinstance(event, ScalarEvent)
            if event.value == "<<" and event.implicit[0]:
                raise _Refused("YAML merge keys (<<) are not allowed", event.start_mark)
            return
        allowed = is_scalar or (self._depth == 1 and isinstance(event, SequenceStartEvent))
        if self._depth >= 1 and not allowed:
            raise _Refused(
                "frontmatter values must be scalars or lists of scalars", event.start_mark
            )


def _scalar(node: Node, first_line: int) -> Scalar:
    assert isinstance(node, ScalarNode)
    return Scalar(node.value, node.tag, node.style is None, first_line + node.start_mark.line)


def _value(node: Node, first_line: int) -> Value:
    if isinstance(node, SequenceNode):
        items = tuple(_scalar(item, first_line) for item in node.value)
        return Seq(items, first_line + node.start_mark.line)
    return _scalar(node, first_line)


def load_mapping(text: str, filename: str, first_line: int) -> list[Entry]:
    """Parse frontmatter text whose first line is line ``first_line`` of ``filename``."""
    loader = StrictLoader(text)
    try:
        root = loader.get_single_node()
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
    finally:
        loader.dispose()  # type: ignore[no-untyped-call]
    if root is None:
        return []
    assert isinstance(root, MappingNode)
    return [
        Entry(key.value, _value(value, first_line), first_line + key.start_mark.line)
        for key, value in root.value
    ]


def resolves_to(text: str) -> str:
    """The tag a plain scalar with this text gets from YAML 1.1 implicit resolution."""
    tag: str = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag


_RESOLVER = yaml.resolver.Resolver()

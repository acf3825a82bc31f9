"""Deterministic frontmatter writing: ccpm-looking plain values, quotes only where needed.

A value is written plain (``status: open``, ``depends_on: [001, 010]``) when the plain form
reads back with the same text. Strings that a YAML 1.1 reader would turn into something else
(``yes``, ``010``, ``2025-01-02``, ``null``) are quoted, except in the fields whose text is
*meant* to look typed (timestamps, refs, unknown keys kept as written): these stay plain as long
as any YAML reader can still load them. Anything else is single-quoted, or double-quoted when it
holds line breaks or characters that need escapes; double-quoted output stays on one line.
"""

from __future__ import annotations

import yaml

from epicflow.markdown.safeyaml import STR_TAG, Seq, load_mapping, resolves_to

_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = frozenset(",[]{}:?")
_NEEDS_DOUBLE = frozenset("\n\x85\u2028\u2029\ufeff")
_WIDE = 2**30
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _plain_syntax(text: str, *, flow: bool) -> bool:
    if not text or text[0] in _INDICATORS or text.startswith("..."):
        return False
    if text[0] == " " or text[-1] in " :" or ": " in text or " #" in text:
        return False
    if flow and not _FLOW_UNSAFE.isdisjoint(text):
        return False
    # isprintable() is False for tabs, line breaks, NBSP, zero-width and format characters.
    return text.isprintable()


def _loads_anywhere(text: str) -> bool:
    try:
        yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's when present)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return False
    return True


def scalar(text: str, *, flow: bool = False, typed: bool = False) -> str:
    """One scalar. ``typed``: plain is fine even if it resolves to a number, date or null."""
    if _plain_syntax(text, flow=flow):
        if resolves_to(text) == STR_TAG:
            return text
        if typed and _loads_anywhere(text):
            return text
    if _NEEDS_DOUBLE.isdisjoint(text):
        return "'" + text.replace("'", "''") + "'"
    dumped = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=_WIDE)
    return dumped.rstrip("\n")


def flow_list(items: tuple[str, ...] | list[str], *, typed: bool = False) -> str:
    return "[" + ", ".join(scalar(item, flow=True, typed=typed) for item in items) + "]"


def extra_value(text: str) -> str:
    """An unknown key's value kept as text: a canonical flow list is written back as a list."""
    if text == "":
        return ""
    if text.startswith("[") and text.endswith("]") and "\n" not in text:
        try:
            [entry] = load_mapping("x: " + text, "<extra>", 1)
        except (ValueError, yaml.YAMLError):
            entry = None
        if entry is not None and isinstance(entry.value, Seq):
            items = [item.text for item in entry.value.items]
            if flow_list(items, typed=True) == text:
                return text
    return scalar(text, typed=True)


def key(text: str) -> str:
    return scalar(text)


def _mapping(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{key(name)}: {value}" if value else f"{key(name)}:" for name, value in pairs]


def frontmatter(pairs: list[tuple[str, str]]) -> str:
    """``---``-fenced frontmatter from (key, already written value) pairs, in order."""
    return "\n".join(["---", *_mapping(pairs), "---"])


def yaml_block(pairs: list[tuple[str, str]]) -> str:
    """The same pairs in a fenced yaml block, as forks of ccpm write metadata."""
    return "\n".join(["```yaml", *_mapping(pairs), "```"])

"""How an imported file was written (``Form``, the effort section, the kept body text, the refs
as written), read back from the one extra entry the import keeps it in
(``read.markdown.written_form``). The entry also travels in JSON bundles, which anyone can
write: each value is checked, and one the renderer could not write back is dropped."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from epicflow.markdown.errors import forbidden_char
from epicflow.markdown.model import REF_ENTRY, Form, Kept
from epicflow.markdown.sections import SECTIONS, alias_key, find_title
from epicflow.markdown.textfile import NEWLINE_NAMES
from epicflow.transfer.plan.inputs import FORM

# What each kept ``Form`` value may be. The entry also travels in JSON bundles, which anyone can
# write: a value the renderer could not write back as the file had it is dropped, not trusted.
_CHOICES = {
    "layout": frozenset({"frontmatter", "yaml", "none"}),
    "title_key": frozenset({"name", "title", "name+title"}),
    "depends_key": frozenset({"depends_on", "dependencies"}),
    "completed": frozenset({"", "~", "null", "Null", "NULL"}),
    "newline": frozenset(NEWLINE_NAMES),
}
_LINES = frozenset({"status", "name", "heading"})
_CHECKLISTS = frozenset({"acceptance_criteria", "definition_of_done"})


def _kept(name: str, value: object) -> bool:
    if name == "bom":
        return isinstance(value, bool)
    if name in _CHOICES:
        return value in _CHOICES[name]
    if not isinstance(value, str) or forbidden_char(value) is not None:
        return False
    if name == "heading":
        return "\n" not in value and find_title([(1, value)], "") is not None
    return name == "effort_text" or (name in _LINES and "\n" not in value and "\r" not in value)


@dataclass(frozen=True, slots=True)
class Written:
    """What the import kept of how a file was written (`read.markdown.written_form`)."""

    form: Form | None = None  # None: the import kept nothing
    effort_text: str = ""
    body: tuple[Kept, ...] = ()
    # By field: each ref as the file wrote it, and the file (``<folder>/<ref>``) it named.
    refs: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def written_form(extra: dict[str, str]) -> Written:
    """How the file was written, taken out of ``extra``; each value checked, since a bundle is
    anyone's JSON (a value that fails is left out)."""
    text = extra.pop(FORM, None)
    if text is None:
        return Written()
    try:
        kept = json.loads(text)
    except ValueError:
        kept = None
    if not isinstance(kept, dict):
        return Written(Form())
    body = _body(kept.pop("kept", None))
    headings = _headings(kept.pop("headings", None))
    items = _items(kept.pop("items", None))
    values = {name: value for name, value in kept.items() if _kept(name, value)}
    effort_text = values.pop("effort_text", "")
    refs = _written_refs(kept.pop("refs", None))
    return Written(Form(**values, headings=headings, items=items), effort_text, body, refs)


def _headings(pairs: object) -> tuple[tuple[str, str], ...]:
    """The sections read under another heading: [key, heading] each, the heading one line that
    still reads as that section."""
    if not isinstance(pairs, list):
        return ()
    kept = []
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2):
            continue
        key, heading = pair
        if not (isinstance(key, str) and isinstance(heading, str)) or "\n" in heading:
            continue
        if forbidden_char(heading) is None and alias_key(heading) == key:
            kept.append((key, heading))
    return tuple(kept)


def _written_refs(found: object) -> dict[str, tuple[tuple[str, str], ...]]:
    """``{field: [[text, path], ...]}``, each text and path a ref (a field that fails: left
    out, and written in epicflow's spelling)."""
    if not isinstance(found, dict):
        return {}
    out = {}
    for name in ("depends_on", "conflicts_with"):
        pairs = found.get(name)
        if isinstance(pairs, list) and all(_is_ref_pair(pair) for pair in pairs):
            out[name] = tuple((text, path) for text, path in pairs)
    return out


def _is_ref_pair(pair: object) -> bool:
    if not (isinstance(pair, list) and len(pair) == 2):
        return False
    return all(isinstance(ref, str) and REF_ENTRY.match(ref) for ref in pair) and "/" in pair[1]


def _items(items: object) -> tuple[tuple[str, int, str], ...]:
    """Checklist items as written: [section key, item number, line] each (the renderer uses a
    line only while it reads back as the item it writes)."""
    if not isinstance(items, list):
        return ()
    kept = []
    for item in items:
        if not (isinstance(item, list) and len(item) == 3):
            continue
        key, at, line = item
        placed = key in _CHECKLISTS and isinstance(at, int) and not isinstance(at, bool)
        if placed and isinstance(line, str) and forbidden_char(line) is None and "\n" not in line:
            kept.append((key, at, line))
    return tuple(kept)


def _body(parts: object) -> tuple[Kept, ...]:
    """The kept body text: [after, text, at] each, after a known section key or ""."""
    if not isinstance(parts, list):
        return ()
    kept = []
    for part in parts:
        if not (isinstance(part, list) and len(part) == 3):
            continue
        after, text, at = part
        placed = isinstance(after, str) and (after == "" or after in SECTIONS)
        if not (placed and isinstance(text, str) and forbidden_char(text) is None):
            continue
        if at is None or (isinstance(at, int) and not isinstance(at, bool) and at >= 0):
            kept.append(Kept(after, text, at))
    return tuple(kept)

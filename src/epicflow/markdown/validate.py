"""What a value must look like to be written (and read back the same): checks for render.

Render refuses values that no file could carry (a title with a line break, an unknown status,
a ref that is not digits...) with a MarkdownError naming the file it would have written. It does
not refuse markdown content: section texts are normalized (see ``normalize_text``) and checklist
items flattened to one line instead.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from epicflow.markdown.errors import MarkdownError, describe_char, forbidden_char
from epicflow.markdown.frontmatter import MAX_KEY_CHARS, is_timestamp
from epicflow.markdown.model import (
    EPIC_FIELDS,
    EPIC_STATUSES,
    MAX_HOURS,
    MAX_TITLE_CHARS,
    REF,
    REF_ENTRY,
    SIZES,
    SLUG,
    TASK_FIELDS,
    TASK_STATUSES,
    EpicDoc,
    TaskDoc,
)


def title_or_error(text: str, filename: str, line: int | None) -> str:
    if len(text) > MAX_TITLE_CHARS:
        raise MarkdownError(filename, line, f"title is longer than {MAX_TITLE_CHARS} characters")
    return text


class _Checker:
    def __init__(self, filename: str) -> None:
        self.file = filename

    def fail(self, message: str) -> MarkdownError:
        return MarkdownError(self.file, None, message)

    def chars(self, name: str, text: str) -> None:
        found = forbidden_char(text.replace("\r", "\n"))
        if found is not None:
            raise self.fail(f"{name}: {found[1]} not allowed")

    def line(
        self, name: str, text: str | None, *, optional: bool = True, lines: bool = False
    ) -> None:
        if text is None and optional:
            return
        if not isinstance(text, str) or not text or text != text.strip():
            raise self.fail(f"{name} must be non-empty text without surrounding spaces")
        if "\n" in text and not lines:
            raise self.fail(f"{name} must be one line")
        self.chars(name, text)

    def title(self, text: str) -> None:
        self.line("title", text, optional=False)
        title_or_error(text, self.file, None)

    def timestamps(self, *values: tuple[str, str | None]) -> None:
        for name, value in values:
            self.line(name, value)
            if value is not None and not is_timestamp(value):
                raise self.fail(f"{name} must be an ISO 8601 date or time")

    def extra_keys(self, extra: dict[str, str], fields: frozenset[str]) -> None:
        for key, value in extra.items():
            if not key.strip() or len(key) > MAX_KEY_CHARS or "\n" in key:
                raise self.fail(f"extra key {key!r} must be one line of 1 to 100 characters")
            if key.lower() in fields:
                raise self.fail(f"extra key {key!r} collides with a field")
            self.chars(f"extra key {key!r}", key)
            if not isinstance(value, str):
                raise self.fail(f"extra {key!r} must be text")
            self.chars(f"extra {key!r}", value)

    def texts(self, **texts: str) -> None:
        for name, text in texts.items():
            self.chars(name, text)


def check_task(doc: TaskDoc) -> None:
    check = _Checker(f"{doc.ref}.md")
    if not isinstance(doc.ref, str) or not REF.match(doc.ref):
        raise check.fail("ref must be the file number, like 001")
    check.title(doc.title)
    if doc.status not in TASK_STATUSES:
        raise check.fail(f"unknown status {doc.status!r}")
    if type(doc.priority) is not int or doc.priority not in range(5):
        raise check.fail("priority must be 0 to 4")
    for label in doc.labels:
        check.line("label", label, optional=False)
    for name in ("assignee", "key", "github"):
        check.line(name, getattr(doc, name))
    check.timestamps(("created", doc.created), ("updated", doc.updated))
    if doc.size is not None and doc.size not in SIZES:
        raise check.fail("size must be one of XS, S, M, L, XL")
    if doc.hours is not None and not (math.isfinite(doc.hours) and 0 <= doc.hours <= MAX_HOURS):
        raise check.fail(f"hours must be a number from 0 to {MAX_HOURS:g}")
    _refs(check, "depends_on", doc.depends_on)
    _refs(check, "conflicts_with", doc.conflicts_with)
    check.texts(
        description=doc.description,
        tdd_requirements=doc.tdd_requirements,
        technical_details=doc.technical_details,
        dependencies_note=doc.dependencies_note,
    )
    for item in (*doc.acceptance_criteria, *doc.definition_of_done):
        check.chars("checklist item", item.text)
    check.extra_keys(doc.extra, TASK_FIELDS)


def _refs(check: _Checker, name: str, refs: Iterable[str]) -> None:
    for ref in refs:
        if not isinstance(ref, str) or not REF_ENTRY.match(ref):
            raise check.fail(f"{name} entry {ref!r} is not a task reference")


def check_epic(doc: EpicDoc) -> None:
    check = _Checker(f"epics/{doc.slug}/epic.md")
    if not isinstance(doc.slug, str) or not SLUG.match(doc.slug):
        raise check.fail(f"epic slug {doc.slug!r} must be kebab-case (a-z, 0-9, -)")
    check.title(doc.title)
    if doc.status not in EPIC_STATUSES:
        raise check.fail(f"unknown status {doc.status!r}")
    check.line("prd", doc.prd, lines=True)
    check.line("github", doc.github)
    check.timestamps(("created", doc.created), ("updated", doc.updated))
    check.texts(description=doc.description)
    check.extra_keys(doc.extra, EPIC_FIELDS)


# The API's rules for strings (``epicflow.platform.types``, which this package may not import):
# a one-line field takes no control character (C0, DEL, C1), a text field tab, newline and CR
# aside; neither takes a lone surrogate or U+FFFE/U+FFFF. A double-quoted YAML scalar can spell
# any of them (``"\0"``, ``"\a"``, ``"\e"``) though the file's own bytes hold none, so import
# checks every parsed string again.
_NOT_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
StringFinding = tuple[str, str]  # (field, message)


def string_finding(
    field: str, text: str | None, *, text_field: bool = False
) -> StringFinding | None:
    """(field, message) when ``text`` breaks the rule of its kind of field, else None."""
    if text is None:
        return None
    found = (_NOT_IN_TEXT if text_field else _NOT_IN_LINE).search(text)
    if found is None:
        return None
    kind = "text" if text_field else "one-line"
    return field, f"{field}: {describe_char(found.group())} not allowed in a {kind} field"


Named = list[tuple[str, str | None]]


def _findings(lines: Named, texts: Named, extra: dict[str, str]) -> list[StringFinding]:
    lines = lines + [(key, key) for key in extra]
    texts = texts + list(extra.items())
    joined_lines = " ".join(value for _, value in lines if value is not None)
    joined_texts = "\n".join(value for _, value in texts if value is not None)
    if not _NOT_IN_LINE.search(joined_lines) and not _NOT_IN_TEXT.search(joined_texts):
        return []  # the usual case: two scans, then each field only when one of them hit
    found = [string_finding(name, value) for name, value in lines]
    found += [string_finding(name, value, text_field=True) for name, value in texts]
    return [finding for finding in found if finding is not None]


def task_string_findings(doc: TaskDoc) -> list[StringFinding]:
    """Each string of a parsed task that the task API would refuse, as (field, message)."""
    lines: Named = [("title", doc.title), ("status", doc.status), ("assignee", doc.assignee)]
    lines += [("key", doc.key), ("github", doc.github), ("created", doc.created)]
    lines += [("updated", doc.updated), ("size", doc.size)]
    lines += [("labels", label) for label in doc.labels]
    lines += [("depends_on", ref) for ref in doc.depends_on]
    lines += [("conflicts_with", ref) for ref in doc.conflicts_with]
    lines += [("acceptance_criteria", item.text) for item in doc.acceptance_criteria]
    lines += [("definition_of_done", item.text) for item in doc.definition_of_done]
    texts: Named = [
        ("description", doc.description),
        ("tdd_requirements", doc.tdd_requirements),
        ("technical_details", doc.technical_details),
        ("dependencies_note", doc.dependencies_note),
    ]
    return _findings(lines, texts, doc.extra)


def epic_string_findings(doc: EpicDoc) -> list[StringFinding]:
    """Each string of a parsed epic that the epic API would refuse, as (field, message)."""
    lines: Named = [("title", doc.title), ("status", doc.status), ("github", doc.github)]
    lines += [("created", doc.created), ("updated", doc.updated)]
    texts: Named = [("prd", doc.prd), ("description", doc.description)]
    return _findings(lines, texts, doc.extra)

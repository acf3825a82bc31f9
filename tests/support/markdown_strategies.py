"""Random epics and tasks for the round-trip property tests.

The generators describe the domain on which ``render`` then ``parse`` gives back an equal value:

- section texts (description, TDD requirements, technical details, the dependencies note, the
  epic's description) are any text without control characters other than tab and newline, with
  no leading or trailing blank line (``normalize_text`` is the identity on them). They may hold
  markdown that looks like structure: ``# Heading``, ``## Notes``, ``- [ ] item``, ``- Size: XL``,
  fences, ``---``, YAML-looking lines, and even the known section headings (the renderer escapes
  those with a backslash, the parser removes it);
- titles, labels, check texts and the short optional strings are one stripped line;
- hours are finite numbers from 0 to 10,000, refs are digits, cross-epic refs ``slug/digits``;
- extra keys are any stripped one-line text that does not name a field, their values any text;
- the Effort Estimate section is written as people write it (ranges, units, notes, bold keys,
  breakdown lines, frontmatter ``effort:`` / ``effort_hours:``), in a form that gives back the
  task's size, hours and parallel: what ``parse_task`` keeps in ``effort_text``;
- ``kept_parts`` (for ``tasks_with_kept``): unknown sections (a ``## `` heading that names no known
  section, then lines that are no ``## `` heading) after any known section or before the first,
  and text among checklist items (lines that are neither a ``## `` heading nor a top-level
  checkbox item), at most one run per place, with no blank line at either end of a section.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC

from hypothesis import strategies as st

from epicflow.markdown import (
    EPIC_FIELDS,
    EPIC_STATUSES,
    SIZES,
    TASK_FIELDS,
    TASK_STATUSES,
    Check,
    EpicDoc,
    TaskDoc,
    normalize_text,
)
from epicflow.markdown.effort import FRONT_HOURS, FRONT_SIZE, canonical, key_of
from epicflow.markdown.model import Kept
from epicflow.markdown.sections import (
    SECTIONS,
    is_heading,
    parse_checklist,
    section_key,
    trim_blank_lines,
)

# Any character the format accepts on one line: no control characters (tab aside), no surrogates,
# no U+FFFE/U+FFFF. Line and paragraph separators (U+2028/U+2029) are allowed.
LINE_CHARS = st.characters(
    exclude_categories=("Cc", "Cs"), exclude_characters="\ufffe\uffff", include_characters="\t"
)

MARKDOWNISH = (
    "# Heading one",
    "# Task: not the title",
    "# Epic: not the title either",
    "## Notes",
    "## Description",
    "##   acceptance   criteria  ",
    "\\## Definition of Done",
    "\\\\## effort estimate:",
    "   ## Technical Details ##",
    "### Sub heading",
    "- [ ] looks like a check",
    "- [x] done already",
    "- Size: XL",
    "- Hours: -3",
    "- Parallel: maybe",
    "---",
    "...",
    "```",
    "```python",
    "~~~",
    "    indented code",
    "> quote",
    "| a | b |",
    "key: value",
    "depends_on: [010]",
    "&anchor *alias !!python/object:os.system",
    "* bullet",
    "1. numbered",
    "<!-- comment -->",
    "\ttab-led line",
    "##",
    "#",
    "",
    "   ",
    "\u2028",
    "Ünïcödé — 漢字 — emoji 🚀",
)

one_line = st.text(LINE_CHARS, max_size=30)
stripped_line = one_line.map(str.strip).filter(bool)


@st.composite
def section_text(draw: st.DrawFn) -> str:
    lines = draw(st.lists(one_line | st.sampled_from(MARKDOWNISH), max_size=8))
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


titles = stripped_line.filter(lambda t: len(t) <= 200) | st.sampled_from(
    ("Task: starts like a heading", "Epic: prefixed", "## not a section", "x" * 200)
)
optional_line = st.none() | stripped_line
slugs = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}\Z")
refs = st.from_regex(r"\A[0-9]{1,4}\Z")
ref_entries = refs | st.builds(lambda s, r: f"{s}/{r}", slugs, refs)
timestamps = st.none() | st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.datetimes().map(lambda d: d.isoformat()),
)
checks = st.lists(st.builds(Check, text=stripped_line, done=st.booleans()), max_size=5).map(tuple)
hours = st.none() | st.floats(min_value=0, max_value=10_000) | st.integers(0, 10_000).map(float)


def extras(fields: frozenset[str]) -> st.SearchStrategy[dict[str, str]]:
    # `completed` is a time where it has a value and reads as "no time" where null: never text.
    # The effort keys are read as a fallback estimate: effort_sections() writes them.
    taken = fields | {FRONT_SIZE, FRONT_HOURS, "completed"}
    keys = (stripped_line | st.from_regex(r"\A[a-z_][a-z0-9_]{0,12}\Z")).filter(
        lambda k: k.lower() not in taken and k != "completed"
    )
    values = st.text(LINE_CHARS | st.just("\n"), max_size=20) | st.sampled_from(
        ("", "~", "null", "0", "010", "yes", "[]", "[a, b]", "[010, x/2]", "0%")
    )
    return st.dictionaries(keys, values, max_size=4)


SIZE_WORDS = {"XS": "extra small", "S": "Small", "M": "Medium", "L": "large", "XL": "X-Large"}
NOTES = ("Medium", "2-3 days", "can run with the setup tasks", "with review", "含测试")
# Notes that follow a value: in parentheses, or after a spaced dash or colon.
notes = st.sampled_from(NOTES).flatmap(
    lambda n: st.sampled_from((f" ({n})", f" - {n}", f" \u2014 {n}", f" : {n}"))
)
bold = st.sampled_from(("- {k}: {v}", "**{k}**: {v}", "- **{k}:** {v}", "* {k}:  {v}", "{k}: {v}"))
# Any section line that is not a Size/Hours/Parallel line: free text and breakdowns.
free_lines = (
    one_line
    | st.sampled_from(MARKDOWNISH)
    | st.sampled_from(("Day 1: schema; Day 2: API", "- Day 3: tests (4 hours)", "Breakdown:"))
).filter(lambda line: key_of(line) is None)


def number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


@st.composite
def size_text(draw: st.DrawFn, size: str) -> str:
    word = draw(st.sampled_from((size, size.lower(), SIZE_WORDS[size])))
    return word + draw(st.just("") | notes)


@st.composite
def hours_text(draw: st.DrawFn, hours: float) -> str:
    """``hours`` as people write it; a range plans with its upper bound, so ``hours`` is it."""
    unit = draw(st.sampled_from(("", "h", " h", " hrs", " hours", "小时", " Hours")))
    low = draw(st.none() | st.floats(min_value=0, max_value=hours))
    text = number(hours) + unit
    if low is not None:
        text = number(low) + draw(st.sampled_from(("-", " - ", "\u2013", "~", " to "))) + text
    else:
        text = draw(st.sampled_from(("", "~"))) + text
    return text + draw(st.just("") | st.sampled_from(NOTES).map(lambda n: f" ({n})"))


@st.composite
def effort_sections(
    draw: st.DrawFn, size: str | None, hours: float | None, parallel: bool
) -> tuple[str, dict[str, str]]:
    """(effort_text, frontmatter effort keys) that read back as this size, hours and parallel:
    each value in the section or, for size and hours, in the frontmatter fallback."""
    lines = draw(st.lists(free_lines, max_size=4))
    front: dict[str, str] = {}
    for key, value in (("Size", size), ("Hours", hours)):
        fallback = FRONT_SIZE if key == "Size" else FRONT_HOURS
        if value is None:
            if key == "Size" and draw(st.booleans()):
                front[fallback] = "half a day"  # not a size: kept, not read
            continue
        written = draw(size_text(value) if isinstance(value, str) else hours_text(value))
        if draw(st.booleans()):
            front[fallback] = written
            continue
        lines.insert(draw(st.integers(0, len(lines))), draw(bold).format(k=key, v=written))
        if draw(st.booleans()):  # the section wins over a different frontmatter value
            front[fallback] = draw(st.sampled_from(("XL (3 days)", "1-2")))
    if draw(st.booleans()):
        flag = draw(
            st.sampled_from(("true", "yes")) if parallel else st.sampled_from(("false", "no"))
        )
        line = draw(bold).format(k="Parallel", v=flag + draw(st.just("") | notes))
        lines.insert(draw(st.integers(0, len(lines))), line)
    text = normalize_text("\n".join(lines))
    return ("" if text == canonical(size, hours, parallel) else text), front


@st.composite
def task_docs(draw: st.DrawFn) -> TaskDoc:
    size = draw(st.none() | st.sampled_from(SIZES))
    estimate, parallel = draw(hours), draw(st.booleans())
    effort_text, front = draw(st.just(("", {})) | effort_sections(size, estimate, parallel))
    return TaskDoc(
        ref=draw(refs),
        title=draw(titles),
        status=draw(st.sampled_from(TASK_STATUSES)),
        priority=draw(st.integers(0, 4)),
        labels=tuple(draw(st.lists(stripped_line, unique=True, max_size=4))),
        assignee=draw(optional_line),
        key=draw(st.none() | st.from_regex(r"\A[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,4}\Z")),
        description=draw(section_text()),
        tdd_requirements=draw(section_text()),
        technical_details=draw(section_text()),
        acceptance_criteria=draw(checks),
        definition_of_done=draw(checks),
        size=size,
        hours=estimate,
        parallel=parallel,
        depends_on=tuple(draw(st.lists(ref_entries, unique=True, max_size=4))),
        conflicts_with=tuple(draw(st.lists(ref_entries, unique=True, max_size=3))),
        created=draw(timestamps),
        updated=draw(timestamps),
        github=draw(optional_line),
        dependencies_note=draw(section_text()),
        extra=draw(extras(TASK_FIELDS)) | front,
        effort_text=effort_text,
    )


@st.composite
def epic_docs(draw: st.DrawFn) -> EpicDoc:
    return EpicDoc(
        slug=draw(slugs),
        title=draw(titles),
        description=draw(section_text()),
        status=draw(st.sampled_from(EPIC_STATUSES)),
        prd=draw(optional_line | section_text().map(str.strip).filter(bool)),
        github=draw(optional_line),
        created=draw(timestamps),
        updated=draw(timestamps),
        extra=draw(extras(EPIC_FIELDS)),
    )


def _plain(line: str) -> bool:
    """A line that stays text wherever it is kept: no heading, no checklist item."""
    return not is_heading(line) and not parse_checklist([(1, line)], "")[0]


@st.composite
def _kept_lines(draw: st.DrawFn) -> str:
    lines = [line for line in draw(section_text()).split("\n") if _plain(line)]
    return "\n".join(trim_blank_lines(lines))


@st.composite
def kept_parts(draw: st.DrawFn, doc: TaskDoc) -> tuple[Kept, ...]:
    """Unknown sections and checklist text for ``doc``, in the order ``parse_task`` gives them."""
    kept: list[Kept] = []
    for after in ("", *SECTIONS):
        for key in ("acceptance_criteria", "definition_of_done"):
            if after != key:
                continue
            count = len(getattr(doc, key))
            for at in sorted(draw(st.sets(st.integers(0, count), max_size=3))):
                text = draw(_kept_lines())
                if not text and at in (0, count):
                    continue  # blank lines at the ends of a section are not kept
                kept.append(Kept(key, text, at))
        names = st.sampled_from(("Implementation Details", "Related Tasks", "验收标准"))
        for name in draw(st.lists(names | stripped_line, max_size=2)):
            heading = f"## {name}"
            if section_key(heading) is not None:
                continue
            body = draw(_kept_lines())
            kept.append(Kept(after, f"{heading}\n\n{body}" if body else heading))
    return tuple(kept)


@st.composite
def tasks_with_kept(draw: st.DrawFn) -> TaskDoc:
    doc = draw(task_docs())
    return dataclasses.replace(doc, kept=draw(kept_parts(doc)))

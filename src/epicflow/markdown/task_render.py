"""Writing one ccpm task file (``001.md``): what ``task.parse_task`` reads back as the same doc,
written as ``doc.form`` says the file had it."""

from __future__ import annotations

from epicflow.markdown import effort, emit, textfile
from epicflow.markdown.errors import MarkdownError
from epicflow.markdown.model import (
    TASK_STATUS_EXPORT,
    TASK_STATUS_SPELLINGS,
    Check,
    TaskDoc,
    status_key,
)
from epicflow.markdown.sections import SECTIONS, alias_key, render_checklist, render_text
from epicflow.markdown.task import heading_title, parse_task, unique
from epicflow.markdown.validate import check_task


def render_task(doc: TaskDoc) -> str:
    """The task as ccpm markdown; deterministic, and ``parse_task`` reads back the same doc.
    What ``doc.form`` keeps of the file is written as the file had it, line ends included."""
    return textfile.as_written(_render(doc), doc.form.newline, doc.form.bom)


def _render(doc: TaskDoc) -> str:
    check_task(doc)
    form = doc.form
    head = _heading(doc)
    pairs = _pairs(doc, head is not None)
    blocks = [emit.frontmatter(pairs), head or f"# Task: {doc.title}"]
    if form.layout == "yaml":
        blocks = [blocks[1], emit.yaml_block(pairs)]
    blocks += _unknown(doc, "")
    headings = dict(form.headings)
    for key, title in SECTIONS.items():
        content = _section(doc, key)
        written = headings.get(key)
        heading = written if written is not None and alias_key(written) == key else f"## {title}"
        blocks.append(f"{heading}\n\n{content}" if content else heading)
        blocks += _unknown(doc, key)
    # Sections that name no known one (not written by parse_task) go last rather than nowhere.
    blocks += [
        part.text for part in doc.kept if part.at is None and part.after not in ("", *SECTIONS)
    ]
    text = "\n\n".join(blocks) + "\n"
    if form.layout == "none":
        # Written without metadata only when nothing is lost by it (the same doc reads back).
        bare = "\n\n".join(blocks[1:]) + "\n"
        try:
            if parse_task(bare, filename=f"{doc.ref}.md") == doc:
                return bare
        except MarkdownError:
            pass
    return text


def _heading(doc: TaskDoc) -> str | None:
    """The file's own title heading, while the title it gives is still the task's."""
    written = doc.form.heading
    return written if written is not None and heading_title(written) == doc.title else None


def _pairs(doc: TaskDoc, heading_kept: bool) -> list[tuple[str, str]]:
    form = doc.form
    ccpm_status, precise = TASK_STATUS_EXPORT[doc.status]
    if form.status is not None and TASK_STATUS_SPELLINGS.get(status_key(form.status)) == doc.status:
        ccpm_status, precise = form.status, None
    name = form.name if heading_kept and form.name is not None else doc.title
    pairs = [(key, emit.scalar(name)) for key in form.title_key.split("+")]
    pairs.append(("status", emit.scalar(ccpm_status)))
    pairs += _optional(("created", doc.created), ("updated", doc.updated), typed=True)
    pairs += _optional(("github", doc.github))
    pairs += [
        (form.depends_key, emit.flow_list(unique(doc.depends_on), typed=True)),
        ("parallel", "true" if doc.parallel else "false"),
        ("conflicts_with", emit.flow_list(unique(doc.conflicts_with), typed=True)),
    ]
    pairs += _optional(("key", doc.key))
    pairs.append(("priority", str(doc.priority)))
    if doc.labels:
        pairs.append(("labels", emit.flow_list(unique(doc.labels))))
    pairs += _optional(("assignee", doc.assignee), ("epicflow_status", precise))
    extra = dict(doc.extra)
    if form.completed is not None:
        extra.setdefault("completed", form.completed)
    pairs += [(key, emit.extra_value(value)) for key, value in sorted(extra.items())]
    return pairs


def _optional(*pairs: tuple[str, str | None], typed: bool = False) -> list[tuple[str, str]]:
    return [(name, emit.scalar(value, typed=typed)) for name, value in pairs if value is not None]


def _unknown(doc: TaskDoc, after: str) -> list[str]:
    return [part.text for part in doc.kept if part.at is None and part.after == after]


def _section(doc: TaskDoc, key: str) -> str:
    if key in ("acceptance_criteria", "definition_of_done"):
        inline = tuple(part for part in doc.kept if part.at is not None and part.after == key)
        checks: tuple[Check, ...] = getattr(doc, key)
        written = {at: line for section, at, line in doc.form.items if section == key}
        return render_checklist(checks, inline, written)
    if key == "effort":
        if not doc.effort_text:
            return effort.canonical(doc.size, doc.hours, doc.parallel)
        values = {"size": doc.size, "hours": doc.hours, "parallel": doc.parallel}
        front = effort.front_values(doc.extra, f"{doc.ref}.md")
        return render_text(effort.render_section(doc.effort_text, values, front))
    attribute = "dependencies_note" if key == "dependencies" else key
    text: str = getattr(doc, attribute)
    return render_text(text)

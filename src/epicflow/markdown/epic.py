"""Reading and writing one ccpm epic file (``epic.md``)."""

from __future__ import annotations

from epicflow.markdown import emit, textfile
from epicflow.markdown.errors import MarkdownError
from epicflow.markdown.frontmatter import Fields, split_document
from epicflow.markdown.model import (
    EPIC_FIELDS,
    EPIC_STATUS_EXPORT,
    EPIC_STATUS_SPELLINGS,
    SLUG,
    EpicDoc,
    Form,
    spellings,
    status_key,
)
from epicflow.markdown.sections import find_title, normalize_text, trim_blank_lines
from epicflow.markdown.validate import check_epic, title_or_error


def parse_epic(text: str, *, slug: str, filename: str) -> EpicDoc:
    """Parse ``epic.md`` of the folder ``slug`` (the folder name wins over ``name:``).

    Title: the first ``# `` heading outside code fences (a leading ``Epic:`` dropped), else the
    ``title:`` field, else the slug. Description: the whole body without that heading.
    """
    if not SLUG.match(slug):
        raise MarkdownError(
            filename, None, f"epic folder {slug!r} must be kebab-case (a-z, 0-9, -)"
        )
    doc = split_document(text, filename, EPIC_FIELDS)
    fields = doc.fields
    fields.take("name")
    lines = list(enumerate(doc.body, start=doc.body_line))
    title, heading = _title(fields, lines, slug)
    status, spelled = _status(fields)
    return EpicDoc(
        slug=slug,
        title=title,
        description="\n".join(trim_blank_lines([line for _, line in lines])),
        status=status,
        prd=fields.take_text("prd")[0],
        github=fields.take_text("github", placeholder_lists=True)[0],
        created=fields.take_time("created"),
        updated=fields.take_time("updated"),
        extra=fields.extras(),
        form=Form(
            layout=doc.layout,
            status=spelled,
            heading=heading,
            newline=doc.newline,
            bom=doc.bom,
        ),
    )


def epic_name(text: str, filename: str) -> str | None:
    """The ``name:`` of an epic.md (its slug in ccpm), for an epic.md outside a named folder."""
    return split_document(text, filename, EPIC_FIELDS).fields.take_text("name")[0]


def _title(fields: Fields, lines: list[tuple[int, str]], slug: str) -> tuple[str, str | None]:
    """The title, and the heading as written where export would write another one."""
    written, written_line = fields.take_text("title")
    heading = find_title(lines, "epic:")
    if heading is not None:
        index, text, line = heading
        raw = lines.pop(index)[1]
        if text:
            title = title_or_error(text, fields.file, line)
            return title, None if raw == f"# Epic: {title}" else raw
    if written:
        return title_or_error(written, fields.file, written_line), None
    return slug, None


def _status(fields: Fields) -> tuple[str, str | None]:
    """The status, and its word as written when export would write another one."""
    written, line = fields.take_text("status")
    status = "backlog"
    if written is not None:
        status = EPIC_STATUS_SPELLINGS.get(status_key(written), "")
        if not status:
            raise fields.error(
                line,
                f"unknown status {written!r}; use one of {spellings(EPIC_STATUS_SPELLINGS)}",
            )
    spelled = None if written in (None, EPIC_STATUS_EXPORT[status][0]) else written
    precise, line = fields.take_text("epicflow_status")
    if precise is None:
        return status, spelled
    if precise not in EPIC_STATUS_EXPORT:
        raise fields.error(line, f"unknown epicflow_status {precise!r}")
    exported = EPIC_STATUS_EXPORT[precise][0]
    if EPIC_STATUS_SPELLINGS[status_key(exported)] == status:
        return precise, None if written == exported else spelled
    return status, spelled


def render_epic(doc: EpicDoc) -> str:
    """The epic as ccpm markdown; deterministic, and ``parse_epic`` reads back the same doc.
    What ``doc.form`` keeps of the file is written as the file had it, line ends included."""
    return textfile.as_written(_render(doc), doc.form.newline, doc.form.bom)


def _render(doc: EpicDoc) -> str:
    check_epic(doc)
    ccpm_status, precise = EPIC_STATUS_EXPORT[doc.status]
    spelled = doc.form.status
    # The file's own word while it still means the epic's status; ours once edited.
    if spelled is not None and EPIC_STATUS_SPELLINGS.get(status_key(spelled)) == doc.status:
        ccpm_status, precise = spelled, None
    pairs = [("name", emit.scalar(doc.slug)), ("status", emit.scalar(ccpm_status))]
    for name, value, typed in (
        ("created", doc.created, True),
        ("updated", doc.updated, True),
        ("prd", doc.prd, False),
        ("github", doc.github, False),
        ("title", doc.title, False),
        ("epicflow_status", precise, False),
    ):
        if value is not None:
            pairs.append((name, emit.scalar(value, typed=typed)))
    pairs += [(key, emit.extra_value(value)) for key, value in sorted(doc.extra.items())]
    heading = doc.form.heading
    if heading is None or _heading_title(heading) != doc.title:
        heading = f"# Epic: {doc.title}"
    blocks = [emit.frontmatter(pairs), heading]
    if doc.form.layout == "yaml":
        blocks = [heading, emit.yaml_block(pairs)]
    description = normalize_text(doc.description)
    if description:
        blocks.append(description)
    if doc.form.layout == "none":
        # Without metadata only when nothing is lost by it (the same doc reads back).
        bare = "\n\n".join(blocks[1:]) + "\n"
        try:
            if parse_epic(bare, slug=doc.slug, filename=f"{doc.slug}/epic.md") == doc:
                return bare
        except MarkdownError:
            pass
    return "\n\n".join(blocks) + "\n"


def _heading_title(line: str) -> str:
    found = find_title([(1, line)], "epic:")
    return "" if found is None else found[1]

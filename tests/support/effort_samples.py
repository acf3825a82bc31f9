"""ccpm task files whose ``## Effort Estimate`` is written for people, one pattern each, as they
are found in real projects (ranges, units, notes, bold keys, frontmatter effort, breakdowns)."""

from __future__ import annotations


def task(effort: str, frontmatter: str = "") -> str:
    """A ccpm task file with this effort section (and extra frontmatter lines)."""
    return (
        "---\n"
        "name: Add the export endpoint\n"
        "status: open\n"
        "created: 2025-08-04T13:05:40Z\n"
        "depends_on: []\n"
        "parallel: true\n"
        "conflicts_with: []\n"
        f"{frontmatter}"
        "---\n"
        "\n"
        "# Task: Add the export endpoint\n"
        "\n"
        "## Description\n"
        "Stream the project as a tar.gz.\n"
        "\n"
        "## Effort Estimate\n"
        f"{effort}\n"
        "\n"
        "## Definition of Done\n"
        "- [ ] Code implemented\n"
    )


# (name, effort section as written, extra frontmatter, (size, hours, parallel) it plans with)
EFFORT_PATTERNS: list[tuple[str, str, str, tuple[str | None, float | None, bool]]] = [
    ("range", "- Size: M\n- Hours: 4-6\n- Parallel: true", "", ("M", 6.0, True)),
    ("range_with_unit", "- Size: L\n- Hours: 24-32 hours", "", ("L", 32.0, True)),
    ("en_dash_range", "- Hours: 4\u20136h", "", (None, 6.0, True)),
    ("to_range", "- Hours: 4 to 6 hours", "", (None, 6.0, True)),
    ("chinese_unit", "- Size: S\n- Hours: 12小时", "", ("S", 12.0, True)),
    ("chinese_range", "- Hours: 4~6小时", "", (None, 6.0, True)),
    ("h_unit", "- Hours: 6h", "", (None, 6.0, True)),
    ("hrs_unit", "- Hours: 2.5 hrs", "", (None, 2.5, True)),
    ("approximately", "- Hours: ~6", "", (None, 6.0, True)),
    ("hours_note", "- Hours: 8 (includes review)", "", (None, 8.0, True)),
    ("size_note", "- Size: M (Medium)\n- Hours: 8", "", ("M", 8.0, True)),
    ("size_days_note", "- Size: S (2-3 days)", "", ("S", None, True)),
    ("size_word", "- Size: Medium", "", ("M", None, True)),
    ("size_dash_note", "- Size: XL - split it before starting", "", ("XL", None, True)),
    ("bold_keys", "**Size**: S\n- **Hours**: 8\n- **Parallel:** true", "", ("S", 8.0, True)),
    (
        "parallel_note",
        "- Size: M\n- Parallel: true (can run with the setup tasks)",
        "",
        ("M", None, True),
    ),
    ("frontmatter_effort", "- Parallel: true", "effort: M (8-12 hours)\n", ("M", None, True)),
    ("frontmatter_hours", "- Size: S", "effort_hours: 6\n", ("S", 6.0, True)),
    (
        "section_wins",
        "- Size: L\n- Hours: 16",
        "effort: S (4 hours)\neffort_hours: 4\n",
        ("L", 16.0, True),
    ),
    (
        "breakdown",
        "- Size: L\n- Hours: 20-24\n\nBreakdown:\nDay 1: schema; Day 2: API\n"
        "- Day 3: tests (4 hours)\n\nRisky: the archive format may change.",
        "",
        ("L", 24.0, True),
    ),
    (
        "free_text_only",
        "About two days, depending on the review.\n\n### Notes\nAsk Dana first.",
        "",
        (None, None, True),
    ),
]

# (effort section, line of the finding in task(...), what the message says)
EFFORT_ERRORS: list[tuple[str, int, str]] = [
    ("- Hours: 2 days", 16, "days are not hours"),
    ("- Hours: 1-2 d", 16, "days are not hours"),
    ("- Hours: 6-4", 16, "hours must be a number from 0 to 10000 or a range"),
    ("- Hours: lots", 16, "24-32 hours"),
    ("- Size: M/L", 16, "size must be one of XS, S, M, L, XL"),
    ("- Size: Huge (2 weeks)", 16, "M (Medium)"),
    ("- Parallel: maybe (ask)", 16, "parallel must be true or false"),
]

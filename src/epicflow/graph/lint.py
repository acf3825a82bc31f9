"""Task-quality lint: the rules of good epic decomposition (INVEST, small verb-led tasks).

Severities, and what each costs a task's score (100 minus the sum, floored at 0):
- error (25): the task cannot be worked on or checked as written, or contradicts itself:
  missing_description, missing_acceptance_criteria, conflicts_with_dependency.
- warning (10): the task can be worked on but is hard to plan or to call done:
  missing_definition_of_done, missing_tdd_requirements, missing_estimate, too_large,
  too_many_dependencies.
- info (5): style: title_not_action; and missing_tdd_requirements for a task imported from a
  ccpm file (``from_ccpm``), whose task template has no such section.
An epic's score is the mean of its tasks' scores, rounded half up; tasks without an epic
only get a task score.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from epicflow.graph.verbs import ACTION_VERBS

Severity = Literal["error", "warning", "info"]
PENALTY: dict[str, int] = {"error": 25, "warning": 10, "info": 5}
MAX_HOURS = 24.0  # "tasks must be completable in 1-3 days"
MAX_DEPENDENCIES = 5
_FIRST_WORD = re.compile(r"\s*([^\s]*)")
_EDGE_PUNCTUATION = ".,:;!?()[]{}'\"`*_-#"


@dataclass(frozen=True, slots=True)
class LintTask:
    key: str
    title: str
    epic: str | None
    description: str
    tdd_requirements: str
    acceptance_criteria: int  # number of items
    definition_of_done: int  # number of items
    size: str | None
    hours: float | None
    depends_on: tuple[str, ...]
    conflicts_with: tuple[str, ...]
    from_ccpm: bool = False  # last imported from a ccpm task file


@dataclass(frozen=True, slots=True)
class Finding:
    task: str
    code: str
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class LintReport:
    findings: list[Finding]
    task_scores: dict[str, int]
    epic_scores: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of SPEC §8."""
        return {
            "findings": [
                {"task": f.task, "code": f.code, "severity": f.severity, "message": f.message}
                for f in self.findings
            ],
            "scores": {"tasks": dict(self.task_scores), "epics": dict(self.epic_scores)},
        }


# A rule: task and the symmetric conflicts of the whole batch -> (code, severity, message).
Rule = Callable[[LintTask, Mapping[str, set[str]]], tuple[str, Severity, str] | None]


def _description(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    if task.description.strip():
        return None
    return ("missing_description", "error", "Describe what the task is for and what it changes.")


def _acceptance(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    if task.acceptance_criteria > 0:
        return None
    return (
        "missing_acceptance_criteria",
        "error",
        "Add acceptance criteria that say when it works.",
    )


def _done(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    if task.definition_of_done > 0:
        return None
    return ("missing_definition_of_done", "warning", "Add a definition of done checklist.")


def _tdd(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    if task.tdd_requirements.strip():
        return None
    if task.from_ccpm:
        # The format has no place for it: said once per task, at the weight of style.
        return (
            "missing_tdd_requirements",
            "info",
            "Say which tests are written first: add a '## TDD Requirements' (or '## Testing')"
            " section to the task file.",
        )
    return ("missing_tdd_requirements", "warning", "Say which tests are written first.")


def _estimate(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    if task.hours is not None or task.size:
        return None
    return ("missing_estimate", "warning", "Estimate the task with a size or hours.")


def _size(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    if task.hours is not None and task.hours > MAX_HOURS:
        return (
            "too_large",
            "warning",
            f"{task.hours:g} h is over {MAX_HOURS:g} h: split the task.",
        )
    if task.size is not None and task.size.upper() == "XL":
        return (
            "too_large",
            "warning",
            "Size XL is too big for one task (aim for 1-3 days): split it.",
        )
    return None


def _title(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    match = _FIRST_WORD.match(task.title)
    word = (match.group(1) if match else "").strip(_EDGE_PUNCTUATION).lower()
    if word in ACTION_VERBS or (len(word) > 4 and word.endswith(("ize", "ify"))):
        return None
    return ("title_not_action", "info", "Start the title with a verb, e.g. 'Add login form'.")


def _dependencies(task: LintTask, _: Mapping[str, set[str]]) -> tuple[str, Severity, str] | None:
    count = len(set(task.depends_on))
    if count <= MAX_DEPENDENCIES:
        return None
    return (
        "too_many_dependencies",
        "warning",
        f"{count} dependencies (over {MAX_DEPENDENCIES}): the task is not independent.",
    )


def _conflicting_dependency(
    task: LintTask, conflicts: Mapping[str, set[str]]
) -> tuple[str, Severity, str] | None:
    both = sorted(set(task.depends_on) & conflicts.get(task.key, set()))
    if not both:
        return None
    return (
        "conflicts_with_dependency",
        "error",
        f"Conflicts with {', '.join(both)}, which it depends on: drop one of the two links.",
    )


# In SPEC §5 order, which is also the order of a task's findings.
RULES: tuple[Rule, ...] = (
    _description,
    _acceptance,
    _done,
    _tdd,
    _estimate,
    _size,
    _title,
    _dependencies,
    _conflicting_dependency,
)


def _symmetric_conflicts(tasks: list[LintTask]) -> dict[str, set[str]]:
    conflicts: dict[str, set[str]] = {}
    for task in tasks:
        for other in task.conflicts_with:
            conflicts.setdefault(task.key, set()).add(other)
            conflicts.setdefault(other, set()).add(task.key)
    return conflicts


def lint(tasks: Iterable[LintTask]) -> LintReport:
    batch = list(tasks)
    conflicts = _symmetric_conflicts(batch)
    findings: list[Finding] = []
    task_scores: dict[str, int] = {}
    by_epic: dict[str, list[int]] = {}
    for task in batch:
        found = [Finding(task.key, *hit) for rule in RULES if (hit := rule(task, conflicts))]
        findings.extend(found)
        score = max(0, 100 - sum(PENALTY[f.severity] for f in found))
        task_scores[task.key] = score
        if task.epic is not None:
            by_epic.setdefault(task.epic, []).append(score)
    epic_scores = {epic: _half_up(sum(s) / len(s)) for epic, s in by_epic.items()}
    return LintReport(findings, task_scores, epic_scores)


def _half_up(value: float) -> int:
    # round() rounds halves to even (97.5 -> 98 but 96.5 -> 96); scores should not wobble so.
    return math.floor(value + 0.5)

"""Task-quality lint (SPEC §5, §8): one finding per broken rule, scores per task and epic."""

from __future__ import annotations

import dataclasses

import pytest

from epicflow.graph import LintReport, LintTask, lint
from epicflow.graph.lint import PENALTY


def good(key: str = "W-1", **changes: object) -> LintTask:
    task = LintTask(
        key=key,
        title="Add the login endpoint",
        epic="auth",
        description="Users sign in with e-mail and password.",
        tdd_requirements="A failing test for a wrong password first.",
        acceptance_criteria=2,
        definition_of_done=1,
        size="M",
        hours=None,
        depends_on=(),
        conflicts_with=(),
    )
    return dataclasses.replace(task, **changes)  # type: ignore[arg-type]


def altered(changes: dict[str, object]) -> LintTask:
    return dataclasses.replace(good(), **changes)  # type: ignore[arg-type]


def codes(report: LintReport, key: str = "W-1") -> dict[str, str]:
    return {f.code: f.severity for f in report.findings if f.task == key}


class TestSingleTask:
    def test_a_well_written_task_has_no_findings_and_full_marks(self) -> None:
        report = lint([good()])
        assert report.findings == []
        assert report.task_scores == {"W-1": 100}
        assert report.epic_scores == {"auth": 100}

    @pytest.mark.parametrize(
        ("changes", "code", "severity"),
        [
            ({"description": "  \n"}, "missing_description", "error"),
            ({"acceptance_criteria": 0}, "missing_acceptance_criteria", "error"),
            ({"definition_of_done": 0}, "missing_definition_of_done", "warning"),
            ({"tdd_requirements": ""}, "missing_tdd_requirements", "warning"),
            ({"size": None, "hours": None}, "missing_estimate", "warning"),
            ({"size": None, "hours": 24.5}, "too_large", "warning"),
            ({"size": "XL", "hours": None}, "too_large", "warning"),
            ({"size": "S", "hours": 40.0}, "too_large", "warning"),
            ({"title": "Login endpoint"}, "title_not_action", "info"),
            (
                {"depends_on": ("W-2", "W-3", "W-4", "W-5", "W-6", "W-7")},
                "too_many_dependencies",
                "warning",
            ),
            (
                {"depends_on": ("W-2",), "conflicts_with": ("W-2",)},
                "conflicts_with_dependency",
                "error",
            ),
        ],
    )
    def test_each_rule_reports_its_code_with_a_message(
        self, changes: dict[str, object], code: str, severity: str
    ) -> None:
        report = lint([altered(changes)])
        assert codes(report) == {code: severity}
        assert report.findings[0].message
        assert report.task_scores["W-1"] == 100 - PENALTY[severity]

    @pytest.mark.parametrize(
        "changes",
        [
            {"size": None, "hours": 24.0},
            {"size": None, "hours": 0.0},
            {"size": "L", "hours": None},
            {"depends_on": ("W-2", "W-3", "W-4", "W-5", "W-6")},
            {"conflicts_with": ("W-9",), "depends_on": ("W-2",)},
        ],
    )
    def test_borderline_tasks_pass(self, changes: dict[str, object]) -> None:
        assert lint([altered(changes)]).findings == []


class TestTestsFirst:
    def test_a_task_written_here_without_tests_is_a_warning(self) -> None:
        assert codes(lint([good(tdd_requirements="")])) == {"missing_tdd_requirements": "warning"}

    def test_a_task_from_a_ccpm_file_without_tests_is_information(self) -> None:
        """ccpm's task template has no such section: every file of a project would warn."""
        report = lint([good(tdd_requirements="", from_ccpm=True)])
        assert codes(report) == {"missing_tdd_requirements": "info"}
        assert "## Testing" in report.findings[0].message
        assert report.task_scores["W-1"] == 100 - PENALTY["info"]

    def test_a_task_from_a_ccpm_file_with_tests_has_no_finding(self) -> None:
        assert lint([good(from_ccpm=True)]).findings == []


class TestTitles:
    @pytest.mark.parametrize(
        "title",
        [
            "Add login",
            "implement OAuth",
            "FIX: crash on save",
            "  Refactor the store",
            "Optimize queries",
            "Simplify setup",
            "Write docs.",
        ],
    )
    def test_titles_led_by_a_verb_pass(self, title: str) -> None:
        assert lint([good(title=title)]).findings == []

    @pytest.mark.parametrize(
        "title", ["Login page", "[API] add login", "The parser", "", "42 fixes"]
    )
    def test_titles_led_by_anything_else_are_flagged(self, title: str) -> None:
        assert codes(lint([good(title=title)])) == {"title_not_action": "info"}


class TestAcrossTasks:
    def test_a_conflict_listed_only_on_the_dependency_still_counts(self) -> None:
        report = lint([good("W-1", depends_on=("W-2",)), good("W-2", conflicts_with=("W-1",))])
        assert codes(report, "W-1") == {"conflicts_with_dependency": "error"}
        assert codes(report, "W-2") == {}

    def test_scores_are_floored_at_zero(self) -> None:
        report = lint(
            [
                good(
                    title="Stuff",
                    description="",
                    tdd_requirements="",
                    acceptance_criteria=0,
                    definition_of_done=0,
                    size=None,
                    depends_on=("W-2", "W-3", "W-4", "W-5", "W-6", "W-7"),
                    conflicts_with=("W-2",),
                )
            ]
        )
        assert len(report.findings) == 8
        assert report.task_scores["W-1"] == 0

    def test_an_epic_scores_the_rounded_mean_of_its_tasks(self) -> None:
        report = lint(
            [
                good("W-1"),
                good("W-2", title="Login"),  # 95
                good("W-3", epic="billing", description=""),  # 75
                good("W-4", epic=None, acceptance_criteria=0),
            ]
        )
        assert report.task_scores == {"W-1": 100, "W-2": 95, "W-3": 75, "W-4": 75}
        assert report.epic_scores == {"auth": 98, "billing": 75}  # 97.5 rounds half up

    def test_findings_follow_task_order_then_rule_order(self) -> None:
        report = lint(
            [good("W-2", title="Thing", description=""), good("W-1", acceptance_criteria=0)]
        )
        assert [(f.task, f.code) for f in report.findings] == [
            ("W-2", "missing_description"),
            ("W-2", "title_not_action"),
            ("W-1", "missing_acceptance_criteria"),
        ]

    def test_the_report_serialises_to_the_spec_shape(self) -> None:
        shape = lint([good(description="")]).to_dict()
        assert shape["scores"] == {"tasks": {"W-1": 75}, "epics": {"auth": 75}}
        assert shape["findings"] == [
            {
                "task": "W-1",
                "code": "missing_description",
                "severity": "error",
                "message": shape["findings"][0]["message"],
            }
        ]

"""Pure dependency-graph algorithms: cycles, start rules, ready queue, plan, render, lint.

Standard library only, so the API, the importer and the CLI can all share one implementation.
"""

from epicflow.graph.critical import CriticalPath, ScheduleEntry, critical_path
from epicflow.graph.cycles import CycleError, find_any_cycle, find_cycle_with
from epicflow.graph.lint import Finding, LintReport, LintTask, lint
from epicflow.graph.model import RESOLVED, Node, StartViolation, Status, effective_hours
from epicflow.graph.render import to_dot, to_json, to_mermaid
from epicflow.graph.rules import Graph
from epicflow.graph.schedule import Plan, Wave, plan
from epicflow.graph.simulate import simulate_makespan

__all__ = [
    "RESOLVED",
    "CriticalPath",
    "CycleError",
    "Finding",
    "Graph",
    "LintReport",
    "LintTask",
    "Node",
    "Plan",
    "ScheduleEntry",
    "StartViolation",
    "Status",
    "Wave",
    "critical_path",
    "effective_hours",
    "find_any_cycle",
    "find_cycle_with",
    "lint",
    "plan",
    "simulate_makespan",
    "to_dot",
    "to_json",
    "to_mermaid",
]

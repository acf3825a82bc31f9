"""Pure dependency-graph algorithms: cycles, start rules, ready queue, plan, render, lint.

Standard library only, so the API, the importer and the CLI share one implementation, and
a request builds one `Graph` (O(V + E)) and asks it everything.

Decisions the rest of epicflow relies on (each module says more):
- A dependency on a key outside the given nodes is ignored; conflicts are symmetric however
  they were listed; a task never conflicts with itself.
- Tasks without an epic have no exclusivity group: rule 4 speaks of "its epic", so
  `parallel: false` binds nothing on them.
- Status `blocked` is never ready (rule 5 wants `open`), but the plan and the simulation
  schedule it like `open`, as if the external blocker were lifted: the plan answers "when
  could this run". start_violation() checks rules 2-4 only, never the task's own status.
- Work in progress sits in wave 1 and starts at time 0 in the simulation, whatever imported
  state says about its dependencies or conflicts.
- plan(), critical_path() and simulate_makespan() raise CycleError on a cyclic graph (rule 1
  says there is none); Graph queries still answer.
- Lint severities: error for missing description / acceptance criteria and
  conflicts_with_dependency, info for title_not_action, warning for the rest.
"""

from epicflow.graph.critical import CriticalPath, ScheduleEntry, critical_path
from epicflow.graph.cycles import CycleError, find_any_cycle, find_cycle_with
from epicflow.graph.lint import Finding, LintReport, LintTask, lint
from epicflow.graph.model import (
    RESOLVED,
    SIZE_HOURS,
    Node,
    StartViolation,
    Status,
    effective_hours,
)
from epicflow.graph.render import to_dot, to_json, to_mermaid
from epicflow.graph.rules import Graph
from epicflow.graph.schedule import Plan, Wave, plan
from epicflow.graph.simulate import simulate_makespan

__all__ = [
    "RESOLVED",
    "SIZE_HOURS",
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

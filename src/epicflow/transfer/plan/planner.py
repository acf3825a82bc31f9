"""Import planning: match the upload to the project, resolve refs, check the graph, diff. Pure.

Everything an import can refuse is refused here, before anything is written, as ``Refused``
(``transfer.errors`` makes it the API's answer). Rule 1 (acyclic) is checked on the whole project
graph as it would be after the import, so an edge between an imported task and one already there
cannot close a cycle either; rules 2-4 are not applied: import restores state as written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from epicflow.graph import find_any_cycle
from epicflow.markdown import Finding
from epicflow.transfer.plan.epics import EpicPlan, plan_epics, sealed
from epicflow.transfer.plan.inputs import Snapshot, StoredTask, TaskSpec, Upload
from epicflow.transfer.plan.refs import MarkdownRefs, RefFinder
from epicflow.transfer.plan.task_files import export_paths
from epicflow.transfer.plan.tasks import TaskFacts, TaskPlan, plan_task

LineOf = Callable[[str, str], int | None]  # (file, field) -> line


class Refused(Exception):
    """An upload the import will not apply, naming the file (and line) at fault and a ``code``.
    ``conflict``: the upload is well formed but contradicts itself or the project (a cycle)."""

    def __init__(
        self,
        file: str,
        line: int | None,
        message: str,
        code: str,
        *,
        field: str = "",
        conflict: bool = False,
        **extra: Any,
    ) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.line = line
        self.message = message
        self.code = code
        self.field = field
        self.conflict = conflict
        self.extra = extra

    def finding(self) -> Finding:
        return Finding(self.file, self.line, self.field, self.code, self.message)


class Refusals(Exception):
    """Several refusals at once: every task's problems are found before the import stops."""

    def __init__(self, refused: list[Refused]) -> None:
        super().__init__(refused)
        self.refused = refused


@dataclass
class Plan:
    epics: list[EpicPlan]
    tasks: list[TaskPlan]
    first_number: int
    new_tasks: int
    known_ids: dict[str, int]  # every task of the project before the import, by key


def _no_line(_file: str, _field: str) -> int | None:
    return None


def slots(hints: list[int | None], items: list[int]) -> dict[int, int]:
    """Where each new task goes among the new numbers 1..n: a task exported with a key takes
    its key's number when that is free (into a fresh project an export comes back with the
    same numbers); the others fill the free numbers in order: keyed ones by their numbers
    first, then those without a key (files that never had one) in upload order."""
    count = len(items)
    out: dict[int, int] = {}
    taken: set[int] = set()
    keyed = sorted((hint, item) for hint, item in zip(hints, items, strict=True) if hint)
    rest = [item for hint, item in zip(hints, items, strict=True) if not hint]
    deferred = []
    for hint, item in keyed:
        if hint <= count and hint not in taken:
            out[item] = hint
            taken.add(hint)
        else:
            deferred.append(item)
    free = (slot for slot in range(1, count + 1) if slot not in taken)
    for item, slot in zip([*deferred, *rest], free, strict=False):
        out[item] = slot
    return out


class Planner:
    """``max_refs``: how many tasks one task may name in ``depends_on`` (or ``conflicts_with``),
    the cap of the task API."""

    def __init__(
        self, upload: Upload, snapshot: Snapshot, line_of: LineOf = _no_line, *, max_refs: int
    ) -> None:
        self.upload = upload
        self.snap = snapshot
        self.line_of = line_of
        self.max_refs = max_refs
        self.by_key = {task.key: task for task in snapshot.tasks.values()}
        self.by_path = {task.path: task for task in snapshot.tasks.values() if task.path}
        self.paths = export_paths(snapshot)
        self.by_export_path = {path: snapshot.tasks[i] for i, path in self.paths.items()}
        self.people = {str(user_id): user_id for user_id in snapshot.members}
        self.people |= {snapshot.emails[u]: u for u in snapshot.members if u in snapshot.emails}
        self.refused: list[Refused] = []
        self.markdown_refs = MarkdownRefs(RefFinder([], {}), line_of)

    @property
    def warnings(self) -> list[Finding]:
        """What was read leniently while planning (refs), beside the upload's own warnings."""
        return self.markdown_refs.warnings

    def stop_if_refused(self) -> None:
        if len(self.refused) == 1:
            raise self.refused[0]
        if self.refused:
            raise Refusals(self.refused)

    def fail(self, spec: TaskSpec, field: str, message: str, code: str, **extra: Any) -> Refused:
        line = self.line_of(spec.file, field) if spec.from_markdown else None
        if not spec.from_markdown:
            message = f"{spec.where.removeprefix(spec.file + ': ')}: {message}"
        return Refused(spec.file, line, message, code, field=field, **extra)

    def plan(self, now: datetime) -> Plan:
        epics = plan_epics(self.upload.epics, self.snap, now)
        self._check_epics(
            {plan.slug for plan in epics} | {e.slug for e in self.snap.epics.values()}
        )
        matches = self._match()
        keys, numbers = self._keys(matches)
        finder = RefFinder.of(self.upload, keys, self.by_export_path)
        self.markdown_refs = MarkdownRefs(finder, self.line_of)
        deps = {spec.name: self._refs(spec, "depends_on", keys) for spec in self.upload.tasks}
        conflicts = self._conflicts(keys)
        assignees = [
            self._assignee(spec, stored)
            for spec, stored in zip(self.upload.tasks, matches, strict=True)
        ]
        self.stop_if_refused()
        self._check_cycles(keys, deps)
        path_of = {task.key: self.paths[task.id] for task in self.snap.tasks.values()}
        path_of |= {keys[spec.name]: spec.path for spec in self.upload.tasks if spec.path}
        tasks = []
        for given, stored, assignee in zip(self.upload.tasks, matches, assignees, strict=True):
            spec = self.markdown_refs.with_form(given)
            facts = TaskFacts(
                key=keys[spec.name],
                number=stored.number if stored else numbers[spec.name],
                assignee_id=assignee,
                deps=deps[spec.name],
                conflicts=conflicts[spec.name],
                export_path=None if stored is None else self.paths[stored.id],
                ref_paths=(
                    tuple(path_of.get(key, key) for key in deps[spec.name]),
                    tuple(path_of.get(key, key) for key in conflicts[spec.name]),
                ),
            )
            tasks.append(plan_task(spec, stored, facts, self.snap, now))
        known = {task.key: task.id for task in self.snap.tasks.values()}
        epics = sealed(epics, tasks, self.snap)
        return Plan(epics, tasks, self.snap.counter + 1, len(numbers), known)

    def _check_epics(self, known: set[str]) -> None:
        for spec in self.upload.tasks:
            if spec.epic is not None and spec.epic not in known:
                message = f"unknown epic {spec.epic!r}"
                self.refused.append(self.fail(spec, "epic", message, "unknown_epic"))
        self.stop_if_refused()

    def _take(self, taken: dict[int, TaskSpec], stored: StoredTask, spec: TaskSpec) -> bool:
        other = taken.get(stored.id)
        if other is not None:
            message = f"the same task ({stored.key}) as {other.where}"
            self.refused.append(self.fail(spec, "key", message, "duplicate_task"))
            return False
        taken[stored.id] = spec
        return True

    def _match(self) -> list[StoredTask | None]:
        """By ``key`` when the key is the project's, else by the path of an earlier import."""
        specs = self.upload.tasks
        matches: list[StoredTask | None] = [None] * len(specs)
        taken: dict[int, TaskSpec] = {}
        for index, spec in enumerate(specs):
            stored = self.by_key.get(spec.key) if spec.key else None
            if stored is not None and self._take(taken, stored, spec):
                matches[index] = stored
        paths: dict[str, TaskSpec] = {}
        for index, spec in enumerate(specs):
            if spec.path is None:
                continue
            if spec.path in paths:
                message = f"path {spec.path} appears twice"
                self.refused.append(self.fail(spec, "key", message, "duplicate_task"))
                continue
            paths[spec.path] = spec
            stored = self.by_path.get(spec.path)
            if matches[index] is None and stored is not None and stored.id not in taken:
                self._take(taken, stored, spec)
                matches[index] = stored
        self.stop_if_refused()
        return matches

    def _keys(self, matches: list[StoredTask | None]) -> tuple[dict[str, str], dict[str, int]]:
        """Each upload name's key; new tasks are numbered by ``slots``."""
        specs = self.upload.tasks
        new = [i for i, stored in enumerate(matches) if stored is None]
        numbers = {
            specs[i].name: self.snap.counter + slot
            for i, slot in slots([specs[i].number_hint for i in new], new).items()
        }
        keys = {name: f"{self.snap.project_key}-{n}" for name, n in numbers.items()}
        for spec, stored in zip(specs, matches, strict=True):
            if stored is not None:
                keys[spec.name] = stored.key
        return keys, numbers

    def _resolve(
        self, spec: TaskSpec, field: str, name: str, text: str, keys: dict[str, str]
    ) -> str | None:
        """The key a ref names: a markdown ref as ``refs`` reads it, a bundle's task key as is."""
        if self.upload.refs_by == "path":
            key, message = self.markdown_refs.resolve(spec, field, name, text)
        elif name in keys or name in self.by_key:
            key, message = keys.get(name) or self.by_key[name].key, ""
        else:
            key = None
            message = f"{field} names {name}, which is neither in the upload nor in the project"
        if key is None:
            self.refused.append(self.fail(spec, field, message, "unknown_task", ref=name))
        return key

    def _refs(self, spec: TaskSpec, field: str, keys: dict[str, str]) -> frozenset[str]:
        refs = getattr(spec, field)
        if len(refs) > self.max_refs:
            message = f"more than {self.max_refs} entries"
            self.refused.append(self.fail(spec, field, message, "too_many_refs"))
            return frozenset()
        texts = spec.refs_written.get(field) or refs
        found = (
            self._resolve(spec, field, name, text, keys)
            for name, text in zip(refs, texts, strict=True)
        )
        resolved = frozenset(key for key in found if key is not None)
        if keys[spec.name] in resolved:
            message = f"the task names itself in {field}"
            self.refused.append(self.fail(spec, field, message, "self_reference"))
            return resolved - {keys[spec.name]}
        return resolved

    def _conflicts(self, keys: dict[str, str]) -> dict[str, frozenset[str]]:
        """Conflicts are symmetric: naming a task of the upload names it from both sides."""
        listed = {s.name: self._refs(s, "conflicts_with", keys) for s in self.upload.tasks}
        name_of = {key: name for name, key in keys.items()}
        both: dict[str, set[str]] = {name: set(found) for name, found in listed.items()}
        for name, found in listed.items():
            for key in found:
                if key in name_of:
                    both[name_of[key]].add(keys[name])
        return {name: frozenset(found) for name, found in both.items()}

    def _check_cycles(self, keys: dict[str, str], deps: dict[str, frozenset[str]]) -> None:
        tasks = self.snap.tasks
        graph: dict[str, list[str]] = {
            task.key: [tasks[dep].key for dep in self.snap.deps.get(task.id, ())]
            for task in tasks.values()
        }
        for name, found in deps.items():
            graph[keys[name]] = sorted(found)
        cycle = find_any_cycle(graph)
        if cycle is None:
            return
        specs = {keys[spec.name]: spec for spec in self.upload.tasks}
        named = [specs[key].name if key in specs else key for key in cycle]
        first = next(specs[key] for key in cycle if key in specs)
        line = self.line_of(first.file, "depends_on") if first.from_markdown else None
        message = f"the dependencies close a cycle: {' → '.join(named)}."
        raise Refused(
            first.file,
            line,
            message,
            "dependency_cycle",
            field="depends_on",
            conflict=True,
            cycle=named,
        )

    def _assignee(self, spec: TaskSpec, stored: StoredTask | None) -> uuid.UUID | None:
        """An e-mail or a user id of a project member (or of whoever the task has now)."""
        if spec.assignee is None:
            return None
        wanted = spec.assignee.strip().lower()
        found = self.people.get(wanted)
        if found is not None:
            return found
        current = None if stored is None else stored.assignee_id
        if current is not None and wanted in (str(current), self.snap.emails.get(current)):
            return current
        message = f"assignee {spec.assignee!r} is not a member of the project"
        self.refused.append(self.fail(spec, "assignee", message, "unknown_user"))
        return None

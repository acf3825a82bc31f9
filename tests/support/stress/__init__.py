"""The claims stress harness (SPEC §2 rules 2-6, §4): served processes, a generated project,
concurrent workers, and the checks that read the recorded history back.

The parts:
- `servers`: `epicflow serve` processes on free loopback ports, sharing one database, each with
  its own lease sweeper; killed (the whole process group) on the way out.
- `project`: `plan_project` / `build_project`, a seeded project of small tasks with acyclic
  dependencies (only on tasks of earlier creation batches), conflicting pairs and exclusive tasks
  in a few epics, created through the API in concurrent batches.
- `workers`: `run_workers`, clients that claim, sometimes heartbeat, and complete until every
  task is done; some of them stall past a short lease and must then be refused with 409
  `claim_lost`.
- `history`: `check_history` and `check_client_log`, the invariants, read from the project's
  event feed and the final task states, and from what the clients were answered. They return
  violations; the same functions judge the real runs and the deliberately naive claim that
  proves they can fail.
- `summary`: what a run was made of and how it went, printed, not asserted.
"""

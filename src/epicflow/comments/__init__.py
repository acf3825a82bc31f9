"""Comments on a task: notes, completion records and hand-overs between workers (SPEC 10.4)."""

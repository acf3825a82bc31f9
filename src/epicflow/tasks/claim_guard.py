"""A live claim protects its task's status (SPEC 10.1): a change of status answers 409
`claimed`, unless an admin forces it, which ends the claim first."""

from __future__ import annotations

from datetime import datetime

from epicflow.platform.errors import Conflict
from epicflow.platform.responses import jsonable
from epicflow.tasks.models import Task
from epicflow.tasks.repository import is_claimed


def claim_to_revoke(
    task: Task, new_status: str | None, *, force: bool, now: datetime
) -> str | None:
    """The worker whose live claim a forced change of `task`'s status to `new_status` ends;
    None when no live claim stands in the way. Unforced, such a change answers 409 `claimed`."""
    if new_status is None or new_status == task.status:
        return None
    if not is_claimed(task.claimed_by, task.lease_expires_at, now):
        return None
    if not force:
        raise Conflict(
            f"{task.key} is claimed by {task.claimed_by}: its status changes through the claim, "
            "or by an admin with force=true.",
            code="claimed",
            claimed_by=task.claimed_by,
            lease_expires_at=jsonable(task.lease_expires_at),  # as a task view writes it
        )
    return task.claimed_by

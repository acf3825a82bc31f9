from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from epicflow.auth.deps import CallerId
from epicflow.platform.db import SessionDep
from epicflow.projects.service import ProjectAccess
from epicflow.tasks import service as tasks

TASK_KEY_PATTERN = r"^[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,8}$"
TaskKeyPath = Annotated[
    str, Path(max_length=24, pattern=TASK_KEY_PATTERN, description="A task key, e.g. `WEB-12`.")
]


async def task_project(
    task_key: TaskKeyPath, user_id: CallerId, session: SessionDep
) -> ProjectAccess:
    """The caller's access to the project a task key names; a stranger sees 404 for the task."""
    return await tasks.task_access(session, task_key, user_id)


TaskProject = Annotated[ProjectAccess, Depends(task_project)]

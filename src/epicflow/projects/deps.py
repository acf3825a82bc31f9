from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from epicflow.auth.deps import CallerId
from epicflow.platform.db import SessionDep
from epicflow.platform.types import Line
from epicflow.projects.service import ProjectAccess, get_access_for

# A `Line`: a key with a control character is a 422 naming it and never reaches a statement
# (PostgreSQL refuses NUL in text); any other key that no project has is a 404.
ProjectKeyPath = Annotated[Line, Path(max_length=10, description="The project key, e.g. `WEB`.")]


async def project_access(
    key: ProjectKeyPath, user_id: CallerId, session: SessionDep
) -> ProjectAccess:
    return await get_access_for(session, key, user_id)


ProjectMember = Annotated[ProjectAccess, Depends(project_access)]

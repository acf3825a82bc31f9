"""What other features may build on about a caller's access to a project, besides `service`:
the caller's row as `service.find_caller` answers it (`Found`), and the access check as a
subquery for a read that checks its caller in its own statement (`allowed_project_id`), so that
the hot reads stay one statement."""

from __future__ import annotations

from epicflow.projects.repository import Found, allowed_project_id

__all__ = ["Found", "allowed_project_id"]

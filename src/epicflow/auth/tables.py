"""The account table as other features may name it in their own SQL: a project's members and
the caller are read in the same statement as the project, and `User` is the caller's type.
The token tables stay private to this feature."""

from __future__ import annotations

from epicflow.auth.models import User

__all__ = ["User"]

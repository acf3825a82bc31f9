"""The project tables as other features may name them in their own SQL: a claim locks the
project's row and reads `graph_stale` in one statement, the ready queue reads `graph_stale`
with its page, and import reserves task numbers and reads members in bulk."""

from __future__ import annotations

from epicflow.projects.models import Membership, Project

__all__ = ["Membership", "Project"]

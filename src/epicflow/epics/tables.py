"""The epic table as other features may name it in their own SQL: tasks are filtered and
shown by their epic's slug in the statement that reads them, and import writes epics in bulk."""

from __future__ import annotations

from epicflow.epics.models import Epic

__all__ = ["Epic"]

"""The event table as other features may name it in their own SQL: import writes a whole
project's events with one executemany per chunk."""

from __future__ import annotations

from epicflow.events.models import Event

__all__ = ["Event"]

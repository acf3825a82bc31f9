"""The append-only history: every change records an event in its own transaction.

This is the feature's face for other features; the statements live in `repository`, which the
stores also build into their own data-changing statements (`record_each`)."""

from __future__ import annotations

from epicflow.events.repository import list_events, record

__all__ = ["list_events", "record"]

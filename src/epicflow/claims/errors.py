"""The claims' own error, which the comments feature answers too for a stale token."""

from __future__ import annotations

from epicflow.platform.errors import Conflict


def claim_lost() -> Conflict:
    return Conflict(
        "The claim token is not current: the lease ran out or another worker holds the task.",
        code="claim_lost",
    )

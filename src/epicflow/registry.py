"""Imports every feature's models so that the metadata is complete (for Alembic and checks)."""

from __future__ import annotations

from epicflow.auth import models as _auth  # noqa: F401
from epicflow.platform.models import Base
from epicflow.projects import models as _projects  # noqa: F401

metadata = Base.metadata

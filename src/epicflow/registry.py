"""Imports every feature's models so that the metadata is complete (for Alembic and checks)."""

from __future__ import annotations

from epicflow.auth import models as _auth  # noqa: F401
from epicflow.comments import models as _comments  # noqa: F401
from epicflow.epics import models as _epics  # noqa: F401
from epicflow.events import models as _events  # noqa: F401
from epicflow.platform import idempotency as _idempotency  # noqa: F401
from epicflow.platform.models import Base
from epicflow.projects import models as _projects  # noqa: F401
from epicflow.tasks import models as _tasks  # noqa: F401
from epicflow.transfer import models as _transfer  # noqa: F401

metadata = Base.metadata

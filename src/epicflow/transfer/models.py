"""What the ccpm format carries that epicflow has no column for, kept so a round trip is lossless.

``task_source.path`` is the ``<epic-slug>/<file stem>`` a task was last imported from: re-import
matches a file without ``key:`` by it, and export writes the task back under the same name.
``written`` keeps a file's bytes as imported: export writes them back while nothing the file
shows has changed (``plan/written.py``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from epicflow.markdown.beside import MAX_PATH_CHARS as MAX_FILE_PATH_CHARS
from epicflow.platform.models import Base

MAX_PATH_CHARS = 120  # a slug (100) + "/" + a ref (10), with room to spare


class TaskSource(Base):
    __tablename__ = "task_source"
    # Leads with project_id, so it also serves "every source row of a project".
    __table_args__ = (UniqueConstraint("project_id", "path"),)

    task_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    path: Mapped[str | None] = mapped_column(String(MAX_PATH_CHARS), nullable=True)
    github: Mapped[str | None] = mapped_column(Text, nullable=True)
    dependencies_note: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The file's bytes as imported, and the check that says whether they still hold
    # (transfer/plan/written.py).
    written: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    written_check: Mapped[str | None] = mapped_column(String(64), nullable=True)


class EpicSource(Base):
    __tablename__ = "epic_source"
    __table_args__ = (Index("ix_epic_source_project", "project_id"),)

    epic_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("epic.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    github: Mapped[str | None] = mapped_column(Text, nullable=True)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    written: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    written_check: Mapped[str | None] = mapped_column(String(64), nullable=True)


class EpicFile(Base):
    """A file beside the tasks of an epic folder (``markdown.beside``), kept byte for byte.

    ``path`` is relative to the epic folder. A file tied to a task (``updates/<n>/...``,
    ``<n>-analysis.md``) goes when its task is deleted; every file goes with its epic.
    """

    __tablename__ = "epic_file"
    # Leads with project_id, so it also serves "every file of a project" (export).
    __table_args__ = (UniqueConstraint("project_id", "epic_id", "path"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    epic_id: Mapped[int] = mapped_column(ForeignKey("epic.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("task.id", ondelete="CASCADE"), nullable=True, index=True
    )
    path: Mapped[str] = mapped_column(String(MAX_FILE_PATH_CHARS))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)

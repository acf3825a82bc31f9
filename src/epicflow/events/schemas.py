from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: int
    type: str
    actor: str
    task: str | None = Field(validation_alias="task_key")
    data: dict[str, Any]
    created_at: datetime

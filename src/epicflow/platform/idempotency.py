"""Idempotency-Key for creating POSTs: a replay answers with the first response."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy import JSON, Integer, String, Uuid, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from epicflow.platform.errors import Invalid
from epicflow.platform.models import Base, UTCDateTime
from epicflow.platform.responses import FastJSONResponse, jsonable

RETENTION = timedelta(hours=24)


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Replays the first response when the same key and body come again (24 h).",
    ),
]


def fingerprint(path: str, body: bytes) -> str:
    return hashlib.sha256(path.encode() + b"\0" + body).hexdigest()


async def run_idempotent(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    key: str | None,
    request_hash: str,
    now: datetime,
    create: Callable[[], Awaitable[Any]],
    status_code: int = 201,
) -> FastJSONResponse:
    """Run `create` once per (user, key); a replay with the same body gets the stored answer."""
    if key is None:
        return FastJSONResponse(await create(), status_code=status_code)
    # The record and what it answers commit together, in the request's transaction.
    record = await session.get(IdempotencyRecord, (user_id, key))
    if record is not None and record.created_at <= now - RETENTION:
        await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
            )
        )
        record = None
    if record is not None:
        if record.request_hash != request_hash:
            raise Invalid(
                "This Idempotency-Key was used with a different request.",
                code="idempotency_key_reused",
            )
        return FastJSONResponse(record.body, status_code=record.status_code)
    body = jsonable(await create())
    session.add(
        IdempotencyRecord(
            user_id=user_id,
            key=key,
            request_hash=request_hash,
            status_code=status_code,
            body=body,
            created_at=now,
        )
    )
    await session.flush()
    return FastJSONResponse(body, status_code=status_code)


async def purge_expired(session: AsyncSession, now: datetime) -> None:
    await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at <= now - RETENTION)
    )


__all__ = ["IdempotencyKey", "fingerprint", "purge_expired", "run_idempotent"]

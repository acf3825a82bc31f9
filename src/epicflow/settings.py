"""Runtime configuration from `EPICFLOW_*` environment variables and an optional `.env`."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32
SECRET_FILE_NAME = "epicflow.secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EPICFLOW_", env_file=".env", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./epicflow.db"
    secret_key: SecretStr | None = None
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    redis_url: str | None = None
    cors_origins: list[str] = Field(default_factory=list)
    log_level: str = "INFO"
    auth_rate_limit: str = "10/minute"
    api_rate_limit: str = "1200/minute"
    signup_enabled: bool = True
    max_body_bytes: int = 1024 * 1024
    max_import_bytes: int = 20 * 1024 * 1024
    db_pool_size: int = Field(default=40, ge=1)
    # A serving process freezes its startup objects out of the garbage collector's view.
    gc_freeze: bool = True
    db_retry_after_seconds: int = 5
    lease_sweep_seconds: float = 5.0
    # Claims that wait for work (`wait_seconds`) at once in one process; past that 503.
    max_waiters: int = Field(default=1000, ge=0)
    # `/mcp` answers only these Host and Origin headers (`:*` matches any port).
    mcp_allowed_hosts: list[str] = Field(
        default_factory=lambda: ["127.0.0.1:*", "localhost:*", "[::1]:*"]
    )
    mcp_allowed_origins: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]
    )

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, url: str) -> str:
        """Accept the plain URLs people paste and pick the async driver for them."""
        for plain, asynchronous in (
            ("postgresql://", "postgresql+asyncpg://"),
            ("postgres://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return asynchronous + url[len(plain) :]
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        _, _, path = self.database_url.partition(":///")
        if not path or path.startswith(":memory:"):
            return None
        return Path(path.split("?", 1)[0])


class InsecureSettings(RuntimeError):
    """The configuration must not be used to start a server."""


def resolve_secret_key(settings: Settings) -> str:
    """Return the signing key: configured, or (outside production) generated once and kept.

    A generated key lives beside the SQLite file, readable by its owner only, so restarts keep
    every issued token valid.
    """
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value()
        if len(key) < MIN_SECRET_LENGTH:
            raise InsecureSettings(
                f"EPICFLOW_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
            )
        return key
    if settings.env == "production":
        raise InsecureSettings("EPICFLOW_SECRET_KEY is required when EPICFLOW_ENV=production")
    db_path = settings.sqlite_path()
    folder = db_path.parent if db_path is not None else Path.cwd()
    key_file = folder / SECRET_FILE_NAME
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


@lru_cache
def get_settings() -> Settings:
    return Settings()

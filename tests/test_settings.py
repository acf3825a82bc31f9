from __future__ import annotations

import stat
from pathlib import Path

import pytest

from epicflow.settings import InsecureSettings, Settings, resolve_secret_key


class TestSecretKey:
    def test_generated_once_beside_the_sqlite_file_owner_only(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path}/data/app.db")
        first = resolve_secret_key(settings)
        key_file = tmp_path / "data" / "epicflow.secret"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert resolve_secret_key(settings) == first
        assert len(first) >= 32

    def test_production_refuses_to_start_without_one(self) -> None:
        with pytest.raises(InsecureSettings, match="required"):
            resolve_secret_key(Settings(env="production"))

    def test_short_key_is_refused(self) -> None:
        with pytest.raises(InsecureSettings, match="at least"):
            resolve_secret_key(Settings(secret_key="short"))


class TestDatabaseUrl:
    @pytest.mark.parametrize(
        ("given", "expected"),
        [
            ("postgresql://u@h/db", "postgresql+asyncpg://u@h/db"),
            ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
            ("sqlite:///x.db", "sqlite+aiosqlite:///x.db"),
            ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
        ],
    )
    def test_plain_urls_get_the_async_driver(self, given: str, expected: str) -> None:
        assert Settings(database_url=given).database_url == expected

    def test_default_is_a_sqlite_file_in_the_working_folder(self) -> None:
        assert Settings().sqlite_path() == Path("epicflow.db")

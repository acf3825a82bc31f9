"""Migrations are reversible and agree with the models, on the database under test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from epicflow.platform import migrations
from tests.support.databases import create_postgres_database, drop_postgres_database


@pytest.fixture
def blank_database_url(tmp_path: Path) -> Iterator[str]:
    server = os.environ.get("EPICFLOW_TEST_DATABASE_URL")
    if server:
        url = create_postgres_database(server)
        yield url
        drop_postgres_database(url)
    else:
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"


class TestMigrations:
    def test_upgrade_downgrade_upgrade_then_no_drift(self, blank_database_url: str) -> None:
        migrations.upgrade(blank_database_url)
        migrations.downgrade(blank_database_url, "base")
        migrations.upgrade(blank_database_url)
        migrations.check(blank_database_url)  # raises when models and migrations disagree

    def test_check_detects_a_database_behind_the_models(self, blank_database_url: str) -> None:
        with pytest.raises(Exception, match="Target database is not up to date"):
            migrations.check(blank_database_url)

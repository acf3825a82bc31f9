"""Migrations are reversible and agree with the models, on the database under test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from unittest.mock import MagicMock

import pytest
from alembic.script import ScriptDirectory

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


_VERSIONS = Path(migrations.ROOT) / "migrations" / "versions"


@pytest.mark.parametrize("path", sorted(_VERSIONS.glob("*.py")), ids=lambda path: path.stem)
def test_no_migration_loads_another(path: Path) -> None:
    """A migration carries what it installs: loading another's text ties it to that file."""
    source = path.read_text(encoding="utf-8")
    assert "importlib" not in source
    assert "spec_from_file_location" not in source


def test_search_ddl_refuses_an_engine_it_was_not_written_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config("sqlite://"))
    module = script.get_revision("d8faf747673e").module
    op = MagicMock()
    op.get_bind.return_value.dialect.name = "mysql"
    monkeypatch.setattr(module, "op", op)
    with pytest.raises(NotImplementedError, match="mysql"):
        module._create_search()
    with pytest.raises(NotImplementedError, match="mysql"):
        module._drop_search()
    op.execute.assert_not_called()

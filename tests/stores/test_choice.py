"""Each engine epicflow runs on has its store; any other engine is refused before anything
connects, with one line that says what is supported."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from epicflow.cli.main import app
from epicflow.main import create_app
from epicflow.platform.engines import Engine, UnsupportedDatabase, engine_of_url
from epicflow.settings import get_settings
from epicflow.stores.base import store_of
from epicflow.stores.choice import STORES, open_database
from tests.support.settings import make_settings

UNSUPPORTED = [
    "mysql://root@127.0.0.1:3306/epicflow",
    "mariadb://root@127.0.0.1:3306/epicflow",
    "oracle://scott:tiger@127.0.0.1/epicflow",
    "not a url",
]


class TestEveryEngineHasAStore:
    def test_each_engine_maps_to_a_store_of_its_own(self) -> None:
        assert set(STORES) == set(Engine)
        assert len({id(store) for store in STORES.values()}) == len(Engine)

    @pytest.mark.parametrize(
        ("url", "engine"),
        [
            ("sqlite+aiosqlite:///./x.db", Engine.SQLITE),
            ("postgresql+asyncpg://u@h/db", Engine.POSTGRESQL),
        ],
    )
    def test_a_url_names_its_engine(self, url: str, engine: Engine) -> None:
        assert engine_of_url(url) is engine

    async def test_a_session_finds_the_store_of_its_database(self, database_url: str) -> None:
        db = open_database(database_url)
        try:
            async with db.sessionmaker() as session:
                assert store_of(session) is STORES[engine_of_url(database_url)]
            async with db.alone_sessionmaker() as session:
                assert store_of(session) is STORES[engine_of_url(database_url)]
        finally:
            await db.dispose()


class TestAnUnknownEngineIsRefused:
    @pytest.mark.parametrize("url", UNSUPPORTED)
    def test_the_app_refuses_to_start(self, url: str) -> None:
        with pytest.raises(UnsupportedDatabase, match="epicflow runs on PostgreSQL"):
            create_app(make_settings(url))

    @pytest.mark.parametrize("command", [["db", "upgrade"], ["db", "current"], ["serve"]])
    def test_the_cli_says_so_in_one_line(
        self, command: list[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("EPICFLOW_DATABASE_URL", "mysql://root@127.0.0.1:3306/epicflow")
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, command)
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 1, result.output
        lines = result.output.strip().splitlines()
        assert lines == [
            "error: EPICFLOW_DATABASE_URL names 'mysql'; epicflow runs on PostgreSQL "
            "(postgresql://…) and SQLite (sqlite:///…)."
        ]

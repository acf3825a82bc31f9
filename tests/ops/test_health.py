from __future__ import annotations

from pathlib import Path

from httpx import ASGITransport, AsyncClient

from epicflow.main import create_app
from tests.support.settings import make_settings


class TestHealth:
    async def test_live(self, client: AsyncClient) -> None:
        response = await client.get("/health/live")
        assert response.json() == {"status": "ok"}

    async def test_ready_when_schema_is_at_head(self, client: AsyncClient) -> None:
        response = await client.get("/health/ready")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"

    async def test_not_ready_when_schema_is_missing(self, tmp_path: Path) -> None:
        app = create_app(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"))
        transport = ASGITransport(app=app)
        try:
            async with AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/health/ready")
        finally:
            await app.state.db.dispose()
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert response.json()["database"] == "schema_not_at_head"

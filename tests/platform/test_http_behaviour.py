"""Conventions every route shares: problem+json errors, request ids, body caps, metrics."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from epicflow.main import create_app
from epicflow.platform.logging import JsonFormatter
from tests.support.settings import make_settings
from tests.support.users import UserFactory

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response_status: int, body: dict[str, object], status: int) -> None:
    assert response_status == status
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status


class TestProblemDetails:
    async def test_unknown_route_is_404_problem(self, client: AsyncClient) -> None:
        response = await client.get("/api/v1/nothing-here")
        assert response.headers["content-type"] == "application/problem+json"
        assert_problem(response.status_code, response.json(), 404)

    async def test_wrong_method_is_405_problem(self, client: AsyncClient) -> None:
        response = await client.delete("/health/live")
        assert_problem(response.status_code, response.json(), 405)

    async def test_validation_error_lists_locations(self, client: AsyncClient) -> None:
        response = await client.post("/api/v1/auth/register", json={"email": 5})
        body = response.json()
        assert_problem(response.status_code, body, 422)
        locations = [error["loc"] for error in body["errors"]]
        assert ["body", "password"] in locations
        assert "password" in body["detail"]

    async def test_malformed_json_is_422(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/auth/register",
            content=b'{"email": ',
            headers={"content-type": "application/json"},
        )
        assert_problem(response.status_code, response.json(), 422)


@pytest.fixture
async def failing_app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url))

    @application.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    yield application
    await application.state.db.dispose()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class TestUnexpectedErrors:
    async def test_500_hides_internals_and_logs_with_request_id(self, failing_app: FastAPI) -> None:
        handler = _Records()
        logger = logging.getLogger("epicflow.errors")
        logger.addHandler(handler)
        transport = ASGITransport(app=failing_app, raise_app_exceptions=False)
        try:
            async with AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/boom", headers={"X-Request-ID": "req-42"})
        finally:
            logger.removeHandler(handler)
        assert_problem(response.status_code, response.json(), 500)
        assert "hunter2" not in response.text
        assert "Traceback" not in response.text
        assert response.json()["request_id"] == "req-42"
        assert response.headers["x-request-id"] == "req-42"
        (record,) = handler.records
        assert record.request_id == "req-42"  # type: ignore[attr-defined]
        line = json.loads(JsonFormatter().format(record))
        assert line["request_id"] == "req-42"
        assert line["exc_type"] == "RuntimeError"


class TestRequestId:
    async def test_given_id_is_echoed(self, client: AsyncClient) -> None:
        response = await client.get("/health/live", headers={"X-Request-ID": "abc-123"})
        assert response.headers["x-request-id"] == "abc-123"

    async def test_missing_or_unsafe_id_is_replaced(self, client: AsyncClient) -> None:
        generated = await client.get("/health/live")
        assert len(generated.headers["x-request-id"]) == 32
        unsafe = await client.get("/health/live", headers={"X-Request-ID": "bad id\twith space"})
        assert unsafe.headers["x-request-id"] != "bad id\twith space"


class TestBodyLimit:
    async def test_declared_oversize_body_is_413(self, client: AsyncClient) -> None:
        response = await client.post(
            "/api/v1/auth/register",
            content=b"x" * (1024 * 1024 + 1),
            headers={"content-type": "application/json"},
        )
        assert_problem(response.status_code, response.json(), 413)

    async def test_streamed_oversize_body_without_length_is_413(self, client: AsyncClient) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(33):
                yield b"x" * 32768

        response = await client.post(
            "/api/v1/auth/register",
            content=chunks(),
            headers={"content-type": "application/json"},
        )
        assert "content-length" not in response.request.headers
        assert_problem(response.status_code, response.json(), 413)


class TestMetrics:
    async def test_requests_are_counted_by_route_template(
        self, client: AsyncClient, users: UserFactory
    ) -> None:
        user = await users.create()
        await client.get(f"/api/v1/projects/NOPE{user.id[:2].upper()}", headers=user.headers)
        text = (await client.get("/metrics")).text
        assert 'route="/api/v1/projects/{key}"' in text
        assert "epicflow_http_request_duration_seconds_bucket" in text
        assert 'method="POST",route="/api/v1/auth/register",status="201"' in text

"""Settings for an app under test: the test secret, no rate limits, quiet logs."""

from __future__ import annotations

from epicflow.settings import Settings

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "auth_rate_limit": "0",
        "api_rate_limit": "0",
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings.model_validate(values)

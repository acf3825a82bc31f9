"""OpenAPI documentation of the problem+json answers a route can give."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ValidationItem(BaseModel):
    loc: list[str]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ValidationItem] | None = None


_DESCRIPTIONS = {
    400: "Bad request",
    401: "Not authenticated, or the credentials are invalid",
    403: "The caller's role does not allow this",
    404: "Not found (or not visible to the caller)",
    409: "Conflict with the current state",
    412: "The If-Match version is stale",
    413: "The body is too large",
    422: "Invalid input",
    429: "Rate limit exceeded; see Retry-After",
    503: "The database is unavailable; see Retry-After",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Document each status with the problem+json body; 503 is possible on every route."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in (*statuses, 503):
        out[status] = {
            "description": _DESCRIPTIONS[status],
            "model": Problem,
            "content": {"application/problem+json": {}},
        }
    return out


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI `parameters` for a route that reads its query string into `model` itself
    (`platform.query.parse_query`); enums and other models refer to the shared components."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    parameters = []
    for name, field_schema in schema["properties"].items():
        description = field_schema.pop("description", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": field_schema,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters

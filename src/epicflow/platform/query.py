"""Reading a query string into a model in one validation.

FastAPI validates each declared query parameter on its own and inspects its type again on
every request, for each filter. A route that takes a query model through `parse_query` pays
one model validation instead; it documents the model's fields with
`platform.openapi.query_parameters`.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from starlette.datastructures import QueryParams

Model = TypeVar("Model", bound=BaseModel)


def parse_query(model: type[Model], params: QueryParams, repeatable: frozenset[str]) -> Model:
    """`params` as `model`; the names in `repeatable` may repeat and arrive as lists. Invalid
    input raises the same RequestValidationError FastAPI would, located in the query."""
    data = {
        name: params.getlist(name) if name in repeatable else value
        for name, value in params.items()
    }
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"loc": ("query", *error["loc"]), "msg": error["msg"], "type": error["type"]}
            for error in exc.errors(include_url=False)
        ]
        raise RequestValidationError(errors) from exc

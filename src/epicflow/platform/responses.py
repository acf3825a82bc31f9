"""Fast JSON for hot read paths: rows become dicts and go straight to orjson."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS)


def jsonable(content: Any) -> Any:
    """The plain-JSON form of `content`, exactly as a response would carry it."""
    return orjson.loads(orjson.dumps(content, option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS))

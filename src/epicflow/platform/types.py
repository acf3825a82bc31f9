"""Constrained types shared by every request model, so each feature inherits the same strictness."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

_SURROGATE = re.compile("[\ud800-\udfff]")


# Unicode category Cc is exactly C0, DEL and C1: one regex scan, not a Python loop per character.
# U+FFFE and U+FFFF are noncharacters no file format round-trips (the ccpm export refuses them).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_BUT_LAYOUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def is_plain_line(value: str) -> bool:
    """True when `value` holds no control character, noncharacter or lone surrogate."""
    return not (_SURROGATE.search(value) or _CONTROL.search(value))


def _reject_controls(value: str, *, allow_layout: bool) -> str:
    if _SURROGATE.search(value):
        raise ValueError("must not contain lone surrogates")
    if (_CONTROL_BUT_LAYOUT if allow_layout else _CONTROL).search(value):
        raise ValueError("must not contain control characters")
    return value


def _line(value: str) -> str:
    return _reject_controls(value, allow_layout=False)


def _text(value: str) -> str:
    return _reject_controls(value, allow_layout=True)


Line = Annotated[str, AfterValidator(_line)]
Text = Annotated[str, AfterValidator(_text)]

Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_line),
]
Name = Annotated[str, StringConstraints(max_length=200), AfterValidator(_line)]
ShortName = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_line)]
LongText = Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_text)]
# A comment's body, a completion's summary, a release's reason: markdown, 1 to 65,536 characters.
Markdown = Annotated[str, StringConstraints(min_length=1, max_length=65_536), AfterValidator(_text)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256), AfterValidator(_line)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=512), AfterValidator(_line)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _email(value: str) -> str:
    """A syntactic check only (one @, something on each side, no spaces): servers may run on
    private domains such as `localhost`, so nothing about deliverability is assumed."""
    if not _EMAIL.match(value):
        raise ValueError("must be an e-mail address")
    return value


Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254),
    AfterValidator(_line),
    AfterValidator(_email),
]
ProjectKey = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,9}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100)]
# A link's address: http or https with a host, one line without spaces, at most 2,048 characters.
_WEB_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


def _web_url(value: str) -> str:
    if not _WEB_URL.match(value):
        raise ValueError("must be an http or https URL with a host")
    return value


WebUrl = Annotated[
    str, StringConstraints(max_length=2048), AfterValidator(_line), AfterValidator(_web_url)
]
Hours = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_max_length=100_000)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


TaskKey = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]{1,9}-[1-9][0-9]{0,8}$")]
Label = Annotated[
    str, StringConstraints(min_length=1, max_length=50, pattern=r"^[^\s,]+$"), AfterValidator(_line)
]
ItemText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    AfterValidator(_line),
]

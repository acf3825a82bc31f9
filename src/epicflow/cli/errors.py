"""Errors end a command with one readable line and an exit code scripts can trust."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from epicflow.platform.engines import UnsupportedDatabase
from epicflow.platform.errors import DomainError
from epicflow.platform.http_errors import problem_body
from epicflow.platform.schema import SchemaMissing
from epicflow.settings import InsecureSettings

# One line per error, never wrapped, printed as written: a path like `[x]/epics` or a line
# `:100:` is neither Rich markup nor an emoji code.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
EXIT_INVALID = 1
EXIT_NOTHING_TO_CLAIM = 3
EXIT_CLAIM_LOST = 4


def finding_line(item: dict[str, Any]) -> str:
    """``file:line: message`` of a finding ``{file, line, field, code, message}``."""
    where = item["file"] if item.get("line") is None else f"{item['file']}:{item['line']}"
    return f"{where}: {item['message']}"


def _findings(exc: DomainError, name: str) -> list[dict[str, Any]]:
    found: Any = exc.extra.get(name)
    if isinstance(found, list) and all(
        isinstance(item, dict) and {"file", "message"} <= item.keys() for item in found
    ):
        return found
    return []


@contextmanager
def readable_errors(as_json: bool = False) -> Iterator[None]:
    """Errors as one line each on standard error (every finding of a refused import), or with
    ``as_json`` as the API's problem document on standard output; exit 1 either way."""
    try:
        yield
    except DomainError as exc:
        if as_json:
            body = problem_body(exc.status, exc.detail, code=exc.code, **exc.extra)
            typer.echo(json.dumps(body, indent=2, ensure_ascii=False))
            raise typer.Exit(EXIT_INVALID) from None
        lines = [finding_line(item) for item in _findings(exc, "errors")] or [str(exc)]
        for line in lines:
            err.print(f"error: {line}")
        warnings = len(_findings(exc, "warnings"))
        if warnings:
            err.print(f"({warnings} warnings not shown: --json lists them)")
        raise typer.Exit(EXIT_INVALID) from None
    except (InsecureSettings, UnsupportedDatabase, SchemaMissing) as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(EXIT_INVALID) from None
    except OSError as exc:
        err.print(f"error: {type(exc).__name__}: {exc}")
        raise typer.Exit(EXIT_INVALID) from None

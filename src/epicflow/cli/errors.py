"""Errors end a command with one readable line and an exit code scripts can trust."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console

from epicflow.platform.engines import UnsupportedDatabase
from epicflow.platform.errors import DomainError
from epicflow.settings import InsecureSettings

# One line per error, never wrapped, printed as written: a path like `[x]/epics` or a line
# `:100:` is neither Rich markup nor an emoji code.
err = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)
EXIT_INVALID = 1


def _lines(exc: DomainError) -> list[str]:
    """Each finding of an error that lists them (``errors: [{file, line, message}]``), else
    the error itself."""
    found: Any = exc.extra.get("errors")
    if isinstance(found, list) and all(
        isinstance(item, dict) and {"file", "message"} <= item.keys() for item in found
    ):
        return [
            f"{item['file']}:{item['line']}: {item['message']}"
            if item.get("line") is not None
            else f"{item['file']}: {item['message']}"
            for item in found
        ] or [str(exc)]
    return [str(exc)]


@contextmanager
def readable_errors() -> Iterator[None]:
    try:
        yield
    except DomainError as exc:
        for line in _lines(exc):
            err.print(f"error: {line}")
        raise typer.Exit(EXIT_INVALID) from None
    except (InsecureSettings, UnsupportedDatabase) as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(EXIT_INVALID) from None
    except OSError as exc:
        err.print(f"error: {type(exc).__name__}: {exc}")
        raise typer.Exit(EXIT_INVALID) from None

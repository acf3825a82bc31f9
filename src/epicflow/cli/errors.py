"""Errors end a command with one readable line and an exit code scripts can trust."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from epicflow.platform.engines import UnsupportedDatabase
from epicflow.platform.errors import DomainError
from epicflow.settings import InsecureSettings

err = Console(stderr=True, highlight=False, soft_wrap=True)  # one line per error, never wrapped
EXIT_INVALID = 1


@contextmanager
def readable_errors() -> Iterator[None]:
    try:
        yield
    except (DomainError, InsecureSettings, UnsupportedDatabase) as exc:
        err.print(f"error: {exc}")
        raise typer.Exit(EXIT_INVALID) from None
    except OSError as exc:
        err.print(f"error: {type(exc).__name__}: {exc}")
        raise typer.Exit(EXIT_INVALID) from None

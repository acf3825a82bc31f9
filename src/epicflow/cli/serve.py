from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from epicflow.cli.errors import readable_errors
from epicflow.platform import migrations
from epicflow.settings import get_settings, resolve_secret_key


def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    no_migrate: Annotated[
        bool, typer.Option("--no-migrate", help="Skip applying pending migrations first.")
    ] = False,
) -> None:
    """Run the API server; pending migrations are applied first."""
    settings = get_settings()
    with readable_errors():
        resolve_secret_key(settings)  # refuse to start with an unsafe key, before forking
        if not no_migrate:
            migrations.upgrade(settings.database_url)
    uvicorn.run(
        "epicflow.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=30,
        # A worker imports the whole app before it answers; on a busy machine that takes longer
        # than uvicorn's default 5 s, and the supervisor would restart it in a loop.
        timeout_worker_healthcheck=60,
        proxy_headers=True,
    )

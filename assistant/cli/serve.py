"""``assistant serve``: run the HTTP API."""

from __future__ import annotations

import os
from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[Optional[str], typer.Option(help="Bind address (ASSISTANT_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (ASSISTANT_PORT).")] = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64,
        help="Worker processes on the one port. More than one needs a shared database and "
        "index: ASSISTANT_DATABASE_URL (PostgreSQL) and ASSISTANT_CHROMA_URL (`chroma run`).",
    )] = 1,
) -> None:
    """Start the API (OpenAPI docs at /docs, review UI at /ui) with uvicorn."""
    import uvicorn

    from assistant.config import get_settings
    from assistant.errors import ConfigError

    settings = get_settings()
    if workers > 1 and settings.chroma_url is None:
        # Every worker would open the embedded index's files, and an approval writes to it.
        raise ConfigError(
            f"--workers {workers} needs an index server the workers share",
            "start one with `chroma run --path DIR --port 8001` and set "
            "ASSISTANT_CHROMA_URL=http://127.0.0.1:8001 (README: the scaled set-up)",
        )
    if workers > 1:
        # Each worker builds its own app from the same environment. Workers already share
        # the cores between requests, so each one's inference gets its share of the cores
        # (measured on 2 cores, 2 workers under load: p99 150 ms with 1 thread each against
        # 210 ms with 2, which oversubscribe the cores).
        if not settings.threads:
            os.environ["ASSISTANT_THREADS"] = str(worker_threads(workers))
        uvicorn.run("api.app:create_app", factory=True, workers=workers,
                    host=host or settings.host, port=port or settings.port,
                    log_level=settings.log_level)
        return
    from api.app import create_app

    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )


def worker_threads(workers: int) -> int:
    """Inference threads of each of ``workers`` processes: the cores shared out, at least 1."""
    return max(1, (os.cpu_count() or 1) // workers)

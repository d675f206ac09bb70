"""``assistant serve``: run the HTTP API."""

from __future__ import annotations

from typing import Annotated, Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    host: Annotated[Optional[str], typer.Option(help="Bind address (ASSISTANT_HOST).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (ASSISTANT_PORT).")] = None,
) -> None:
    """Start the API (OpenAPI docs at /docs) with uvicorn in one process."""
    import uvicorn

    from api.app import create_app
    from assistant.config import get_settings

    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=host or settings.host,
        port=port or settings.port,
        log_level=settings.log_level,
    )

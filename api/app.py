"""The FastAPI application: heavy objects are built once in the lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routes import draft, health, kb, triage
from assistant import __version__
from assistant.config import Settings, get_settings
from assistant.errors import AssistantError

log = logging.getLogger(__name__)


def _build(app: FastAPI, name: str, factory: Callable[[], object], what: str) -> None:
    """Build one heavy object into ``app.state.<name>`` unless a test injected it. On
    failure serve anyway: /health says what is missing (``<name>_error``), and the
    routes that need it answer 503 with a hint."""
    if getattr(app.state, name, None) is not None:
        return
    try:
        setattr(app.state, name, factory())
    except AssistantError as exc:
        setattr(app.state, f"{name}_error", str(exc))
        log.error("%s not loaded: %s", what, exc)


def create_app(settings: Settings | None = None, load_models: bool = True) -> FastAPI:
    """Build the app. ``load_models=False`` lets tests inject their own objects."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if load_models:
            from assistant.runtime import get_drafter, get_retriever, get_triager

            _build(app, "triager", lambda: get_triager(settings), "intent classifier")
            _build(app, "retriever", lambda: get_retriever(settings), "knowledge-base index")
            if app.state.triager is not None and app.state.retriever is not None:
                _build(app, "drafter", lambda: get_drafter(settings), "drafter")
        yield

    app = FastAPI(
        title="Escalation Assistant",
        version=__version__,
        description="Triage and reply drafting for payments escalation teams. "
        "Every error has the shape {\"error\": {\"code\", \"message\", \"hint\"}}.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.triager = None
    app.state.retriever = None
    app.state.drafter = None
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(triage.router)
    app.include_router(kb.router)
    app.include_router(draft.router)
    return app

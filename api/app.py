"""The FastAPI application: heavy objects are built once in the lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.routes import health, kb, triage
from assistant import __version__
from assistant.config import Settings, get_settings
from assistant.errors import AssistantError

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, load_models: bool = True) -> FastAPI:
    """Build the app. ``load_models=False`` lets tests inject their own objects."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if load_models and getattr(app.state, "triager", None) is None:
            from assistant.runtime import get_triager

            try:
                app.state.triager = get_triager(settings)
            except AssistantError as exc:
                # Serve anyway: /health says what is missing, triage answers 503 with a hint.
                app.state.triager_error = str(exc)
                log.error("intent classifier not loaded: %s", exc)
        if load_models and getattr(app.state, "retriever", None) is None:
            from assistant.runtime import get_retriever

            try:
                app.state.retriever = get_retriever(settings)
            except AssistantError as exc:
                app.state.retriever_error = str(exc)
                log.error("knowledge-base index not loaded: %s", exc)
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
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(triage.router)
    app.include_router(kb.router)
    return app

"""The FastAPI application: heavy objects are built once in the lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.observability import Metrics, RequestMiddleware, configure_logging
from api.routes import draft, drafts, evals, health, kb, tickets, triage
from assistant import __version__
from assistant.config import Settings, get_settings
from assistant.errors import AssistantError

log = logging.getLogger("assistant.api")

DESCRIPTION = """Triage and reply drafting for payments escalation teams.

Authenticate with an API key: `Authorization: Bearer <key>` (or `X-API-Key`). Each key has
one role: **agent** (triage), **specialist** (drafts, review, reveal), **trainer** (eval runs
and reports), **admin** (users, ingest, everything). Every error has the shape
`{"error": {"code", "message", "hint"}}`. The review UI is at [/ui](/ui).
"""


def _build(app: FastAPI, name: str, factory: Callable[[], object], what: str) -> None:
    """Build one heavy object into ``app.state.<name>`` unless a test injected it. On
    failure serve anyway: /readyz says what is missing (``<name>_error``), and the
    routes that need it answer 503 with a hint."""
    if getattr(app.state, name, None) is not None:
        return
    try:
        setattr(app.state, name, factory())
    except AssistantError as exc:
        setattr(app.state, f"{name}_error", str(exc))
        log.error("%s not loaded: %s", what, exc)


def _index_pending(workflow: object) -> None:
    """Approvals whose resolution did not reach the index (it was down, or a process died
    between the commit and the indexing) are indexed now."""
    try:
        done = workflow.index_pending_resolutions()  # type: ignore[attr-defined]
    except AssistantError as exc:  # the database is down: /readyz says so
        log.warning("pending resolutions not indexed at start-up: %s", exc)
        return
    if done:
        log.info("indexed %d approved resolution(s) left pending", done)


def create_app(settings: Settings | None = None, load_models: bool = True) -> FastAPI:
    """Build the app. ``load_models=False`` lets tests inject their own objects."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from api.security import RateLimiter
        from api.sessions import Sessions
        from assistant.store.keys import KeyVerifier

        url = settings.resolved_database_url
        if getattr(app.state, "keys", None) is None:
            app.state.keys = KeyVerifier(url)
        if getattr(app.state, "limiter", None) is None:
            app.state.limiter = RateLimiter(settings.rate_limit, settings.redis_url)
        if load_models:
            from assistant.runtime import (
                get_drafter,
                get_retriever,
                get_triager,
                get_vault,
                get_workflow,
            )

            _build(app, "triager", lambda: get_triager(settings), "intent classifier")
            _build(app, "retriever", lambda: get_retriever(settings), "knowledge-base index")
            if app.state.triager is not None and app.state.retriever is not None:
                _build(app, "drafter", lambda: get_drafter(settings), "drafter")
            if app.state.drafter is not None:
                _build(app, "workflow", lambda: get_workflow(settings, app.state.drafter),
                       "workflow")
                from assistant.runtime import get_eval_runs

                _build(app, "eval_runs", lambda: get_eval_runs(settings, app.state.drafter),
                       "evaluation runner")
            if app.state.workflow is not None:
                _index_pending(app.state.workflow)
            _build(app, "vault", lambda: get_vault(settings), "secret key")
        if getattr(app.state, "sessions", None) is None and getattr(app.state, "vault", None):
            app.state.sessions = Sessions(app.state.vault.session_key)
        yield

    configure_logging(settings.log_level)
    app = FastAPI(
        title="Escalation Assistant",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    for name in ("triager", "retriever", "drafter", "workflow", "vault", "keys", "limiter",
                 "sessions", "eval_runs"):
        setattr(app.state, name, None)
    app.state.metrics = Metrics()
    app.add_middleware(RequestMiddleware, max_body=settings.max_body_bytes,
                       metrics=app.state.metrics)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(triage.router)
    app.include_router(tickets.router)
    app.include_router(drafts.router)
    app.include_router(drafts.stats_router)
    app.include_router(draft.router)
    app.include_router(kb.router)
    app.include_router(evals.router)
    app.include_router(evals.trends_router)
    from api import ui

    app.include_router(ui.router)
    ui.mount_static(app)
    return app

"""Liveness, readiness and metrics: /healthz, /readyz, /metrics (and /health, the summary)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from api.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    """Up, with what is loaded (`degraded` and the reason when something is missing)."""
    state = request.app.state
    triager = getattr(state, "triager", None)
    retriever = getattr(state, "retriever", None)
    problems = [
        getattr(state, name, "")
        for name, missing in (("triager_error", triager is None),
                              ("retriever_error", retriever is None))
        if missing
    ]
    return Health(
        status="degraded" if problems else "ok",
        intent_model=str(triager.classifier.meta.get("created_at")) if triager else None,
        kb_chunks=retriever.size if retriever else None,
        detail="; ".join(p for p in problems if p),
    )


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Alive (the process answers)."""
    return {"status": "alive"}


def _readiness(request: Request) -> tuple[bool, dict[str, str]]:
    from assistant.store.db import current, head_revision, ping

    state = request.app.state
    checks: dict[str, str] = {}
    checks["models"] = "ok" if getattr(state, "triager", None) is not None else (
        getattr(state, "triager_error", None) or "not loaded")
    checks["index"] = "ok" if getattr(state, "retriever", None) is not None else (
        getattr(state, "retriever_error", None) or "not loaded")
    url = state.settings.resolved_database_url
    try:
        ping(url)
        now, head = current(url), head_revision()
        checks["database"] = "ok" if now == head else (
            f"schema at {now or 'nothing'}, code expects {head}: run `assistant db upgrade`")
    except Exception as exc:  # StoreUnavailableError and driver errors alike
        checks["database"] = getattr(exc, "message", type(exc).__name__)
    return all(v == "ok" for v in checks.values()), checks


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready: models loaded, database reachable and migrated, index present; else 503 with
    the reason."""
    ok, checks = await run_in_threadpool(_readiness, request)
    if ok:
        return JSONResponse({"status": "ready", "checks": checks})
    reasons = "; ".join(f"{k}: {v}" for k, v in checks.items() if v != "ok")
    return JSONResponse(status_code=503, content={"error": {
        "code": "not_ready", "message": f"the service is not ready ({reasons})",
        "hint": "fix what is named and retry; `make run` prepares everything",
        "details": {"checks": checks}}})


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    """Prometheus metrics: latency by route, drafts by status, grounding failures, LLM
    fallbacks, queue depth, overdue cases."""
    from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

    state = request.app.state
    m = state.metrics
    workflow = getattr(state, "workflow", None)
    if workflow is not None:
        try:
            counts = await run_in_threadpool(workflow.status_counts)
            for status, n in counts.items():
                m.drafts.labels(status).set(n)
            m.queue_depth.set(counts.get("pending_review", 0))
            m.overdue.set(await run_in_threadpool(workflow.overdue_count))
        except Exception:  # metrics never fail because the database is down
            pass
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)

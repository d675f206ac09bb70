"""GET /health: is the service up, and are its model and knowledge-base index loaded."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
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

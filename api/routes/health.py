"""GET /health: is the service up, and is its model loaded."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.schemas import Health

router = APIRouter(tags=["service"])


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    triager = getattr(request.app.state, "triager", None)
    if triager is None:
        return Health(
            status="degraded",
            intent_model=None,
            detail=getattr(request.app.state, "triager_error", ""),
        )
    return Health(status="ok", intent_model=str(triager.classifier.meta.get("created_at")))

"""POST /v1/kb/search: hybrid search over the knowledge base, with citable chunk ids."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import RetrieverDep, SettingsDep
from api.errors import ErrorResponse
from api.security import role
from assistant.store.keys import Principal

router = APIRouter(prefix="/v1/kb", tags=["knowledge base"])
ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 413, 422, 429, 503)}


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=2_000, description="Question or keywords.")
    k: int = Field(default=5, ge=1, le=50, description="Chunks to return.")
    types: list[Literal["policy", "terms", "regulation", "resolution", "guide"]] | None = None
    as_of: dt.date | None = Field(
        default=None, description="Cite the document versions in force that day (default today)."
    )
    mode: Literal["hybrid", "dense", "bm25"] = "hybrid"


class SearchHit(BaseModel):
    chunk_id: str
    source: str
    section: str
    title: str
    type: str
    version: str
    effective_date: dt.date
    score: float
    dense_rank: int | None
    bm25_rank: int | None
    text: str


class SearchResponse(BaseModel):
    query: str
    results: list[SearchHit]


@router.post("/search", response_model=SearchResponse, responses=ERRORS)
async def search(body: SearchRequest, retriever: RetrieverDep,
                 caller: Annotated[Principal, role("kb_search")]) -> SearchResponse:
    """Chunks with `chunk_id, source, section, score, text`; the query is PII-redacted
    before it is embedded."""
    hits = await run_in_threadpool(
        retriever.search, body.query, body.k, body.types, body.as_of, body.mode
    )
    return SearchResponse(query=body.query, results=[SearchHit(**h.to_dict()) for h in hits])


@router.get("/search", response_model=SearchResponse, responses=ERRORS)
async def search_get(
    retriever: RetrieverDep,
    caller: Annotated[Principal, role("kb_search")],
    q: Annotated[str, Query(min_length=1, max_length=2_000, description="Question or keywords.")],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    type: Annotated[list[Literal["policy", "terms", "regulation", "resolution", "guide"]] | None,
                    Query()] = None,
    as_of: dt.date | None = None,
) -> SearchResponse:
    """The same hybrid search, as a GET (`?q=...&k=5&type=policy&as_of=2026-03-15`)."""
    hits = await run_in_threadpool(retriever.search, q, k, type, as_of, "hybrid")
    return SearchResponse(query=q, results=[SearchHit(**h.to_dict()) for h in hits])


@router.post("/ingest", responses=ERRORS)
async def ingest(settings: SettingsDep, retriever: RetrieverDep,
                 caller: Annotated[Principal, role("kb_ingest")]) -> dict[str, Any]:
    """Re-index the knowledge-base folder (incremental; admin). Retrievers reload after it."""
    from assistant.guards.pii import PiiDetector
    from assistant.kb.ingest import ingest as run_ingest

    report = await run_in_threadpool(
        run_ingest, settings.kb_dir.resolve(), retriever.store, retriever.encoder,
        PiiDetector(settings.phone_region), settings.kb_dir.resolve())
    await run_in_threadpool(retriever.refresh, True)
    return report.to_dict()

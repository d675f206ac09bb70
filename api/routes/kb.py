"""POST /v1/kb/search: hybrid search over the knowledge base, with citable chunk ids."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import RetrieverDep
from api.errors import ErrorResponse

router = APIRouter(prefix="/v1/kb", tags=["knowledge base"])
ERRORS = {422: {"model": ErrorResponse}, 503: {"model": ErrorResponse}}


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
async def search(body: SearchRequest, retriever: RetrieverDep) -> SearchResponse:
    """Chunks with `chunk_id, source, section, score, text`; the query is PII-redacted
    before it is embedded."""
    hits = await run_in_threadpool(
        retriever.search, body.query, body.k, body.types, body.as_of, body.mode
    )
    return SearchResponse(query=body.query, results=[SearchHit(**h.to_dict()) for h in hits])

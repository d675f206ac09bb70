"""Request bodies of the API (responses reuse the core's contract models)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from assistant.triage.schema import BatchError, TriageResult


_RECEIVED = (
    "Day the ticket was received (YYYY-MM-DD); regulatory clocks count from it and "
    "relative dates in the text resolve against it. Default: today."
)


class TriageRequest(BaseModel):
    text: str = Field(description="The ticket text as the customer wrote it.")
    received_at: date | None = Field(default=None, description=_RECEIVED)


class BatchTicket(BaseModel):
    id: Any = Field(default=None, description="Your identifier, echoed back.")
    text: str
    received_at: date | None = Field(default=None, description=_RECEIVED)


class BatchRequest(BaseModel):
    tickets: list[BatchTicket] = Field(min_length=1, max_length=1000)


class BatchItem(BaseModel):
    id: Any = None
    result: TriageResult | None = None
    error: BatchError | None = None


class BatchResponse(BaseModel):
    results: list[BatchItem]


class Health(BaseModel):
    status: str
    intent_model: str | None
    kb_chunks: int | None = None  # chunks in the loaded knowledge-base index
    detail: str = ""

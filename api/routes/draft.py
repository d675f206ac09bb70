"""POST /v1/draft: a preview of the draft for a ticket (nothing is stored)."""

from __future__ import annotations

from typing import Annotated

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import DrafterDep
from api.errors import ErrorResponse
from api.security import role
from assistant.store.keys import Principal
from assistant.drafting.schema import DraftResult

router = APIRouter(prefix="/v1", tags=["drafting"])
ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 413, 422, 429, 503)}


class DraftRequest(BaseModel):
    text: str = Field(description="The ticket text as the customer wrote it.")
    received_at: dt.date | None = Field(
        default=None, description="Day the ticket was received; the clocks count from it."
    )
    writer: Literal["composer", "llm"] = Field(
        default="composer",
        description="composer (no LLM) or llm (falls back to the composer, saying why).",
    )
    reply: str | None = Field(
        default=None, max_length=20_000,
        description="A reply a person wrote: check it instead of writing one.",
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "text": "There is a $84.99 payment to VOLTEX ELECTRONICS on November 20 "
                    "that I never made. My card is in my wallet.",
                    "received_at": "2026-11-25",
                    "writer": "composer",
                }
            ]
        }
    }


@router.post("/draft", response_model=DraftResult, responses=ERRORS)
async def draft(body: DraftRequest, drafter: DrafterDep,
                caller: Annotated[Principal, role("review")]) -> DraftResult:
    """Triage, plan, a cited reply and its grounding verdict (a preview: nothing is stored)."""
    return await run_in_threadpool(
        drafter.draft, body.text, body.received_at, body.writer, body.reply
    )

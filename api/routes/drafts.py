"""The review queue and the decisions on a draft."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import WorkflowDep
from api.errors import ErrorResponse
from api.security import role
from assistant.drafting.schema import Grounding
from assistant.store.keys import Principal

router = APIRouter(prefix="/v1/drafts", tags=["review"])
ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 422, 429, 503)}
Status = Literal["pending_review", "approved", "rejected", "sent"]


class Approve(BaseModel):
    # Bounded: a version beyond a database integer is a 422, not an overflow (schemathesis).
    version: int = Field(ge=1, le=2_147_483_647, description="The draft version you reviewed "
                         "(from GET); a stale one gets 409.")
    text: str | None = Field(default=None, max_length=20_000,
                             description="Your edited reply; it is grounding-checked again.")
    override_reason: str | None = Field(
        default=None, max_length=2_000,
        description="Required to approve an edit that fails the check; audited.")


class Reject(BaseModel):
    version: int = Field(ge=1, le=2_147_483_647)
    reason: str = Field(min_length=1, max_length=2_000)


class CheckIn(BaseModel):
    text: str = Field(min_length=1, max_length=20_000)


@router.get("", responses=ERRORS)
async def queue(workflow: WorkflowDep, caller: Annotated[Principal, role("review")],
                status: Status = "pending_review",
                reason: Annotated[str | None, Query(max_length=60)] = None,
                intent: Annotated[str | None, Query(max_length=80)] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    """Drafts by status: nearest regulatory deadline first, then severity, then age;
    `overdue` marks a case past its nearest deadline."""
    items = await run_in_threadpool(workflow.queue, status, reason, intent, limit)
    return {"status": status, "count": len(items), "drafts": items}


@router.get("/{draft_id}", responses=ERRORS)
async def get_draft(draft_id: str, workflow: WorkflowDep,
                    caller: Annotated[Principal, role("review")]) -> dict[str, Any]:
    """The draft with its ticket, triage, plan, citations and grounding (audited as viewed)."""
    return await run_in_threadpool(workflow.draft_view, draft_id, caller)


@router.post("/{draft_id}/check", response_model=Grounding, responses=ERRORS)
async def check(draft_id: str, body: CheckIn, workflow: WorkflowDep,
                caller: Annotated[Principal, role("review")]) -> Grounding:
    """The grounding verdict of a reply as the specialist edits it (nothing is stored)."""
    result = await run_in_threadpool(workflow.check, draft_id, body.text)
    return result.grounding


@router.post("/{draft_id}/approve", responses=ERRORS)
async def approve(draft_id: str, body: Approve, workflow: WorkflowDep,
                  caller: Annotated[Principal, role("review")]) -> dict[str, Any]:
    """Approve, optionally with an edit (a new version with its own grounding result)."""
    return await run_in_threadpool(workflow.approve, draft_id, body.version, caller, body.text,
                                   body.override_reason)


@router.post("/{draft_id}/reject", responses=ERRORS)
async def reject(draft_id: str, body: Reject, workflow: WorkflowDep,
                 caller: Annotated[Principal, role("review")]) -> dict[str, Any]:
    """Reject, with the reason."""
    return await run_in_threadpool(workflow.reject, draft_id, body.version, caller, body.reason)


@router.post("/{draft_id}/sent", responses=ERRORS)
async def sent(draft_id: str, workflow: WorkflowDep,
               caller: Annotated[Principal, role("review")]) -> dict[str, Any]:
    """Mark an approved reply as sent to the customer."""
    return await run_in_threadpool(workflow.mark_sent, draft_id, caller)


stats_router = APIRouter(prefix="/v1/stats", tags=["review"])


@stats_router.get("/reviews", responses=ERRORS)
async def review_stats(workflow: WorkflowDep, caller: Annotated[Principal, role("stats")],
                       since: dt.date | None = None, until: dt.date | None = None) -> dict[str, Any]:
    """Acceptance rate, edit rate and median edit distance, by playbook, intent and writer."""
    return await run_in_threadpool(workflow.review_stats, since, until)

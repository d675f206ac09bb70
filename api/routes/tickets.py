"""Tickets and cases: intake (store, triage, draft), reading, revealing PII, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.deps import WorkflowDep
from api.errors import ErrorResponse
from api.security import role
from assistant.store.keys import Principal

router = APIRouter(prefix="/v1", tags=["cases"])
ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 422, 429, 503)}


class TicketIn(BaseModel):
    text: str = Field(description="The ticket as the customer wrote it (PII is redacted before "
                      "anything is stored or sent to a model).")
    received_at: dt.date | None = Field(default=None, description="Day received (default today).")
    writer: Literal["composer", "llm"] = "composer"

    model_config = {"json_schema_extra": {"examples": [{
        "text": "Someone used my debit card at GAS-N-GO on 11/28 for $64.10. I still have the card.",
        "received_at": "2026-12-01"}]}}


class IntakeOut(BaseModel):
    case_id: str
    ticket_id: str
    draft_id: str
    created: bool = Field(description="False when an Idempotency-Key retry returned the case "
                          "stored the first time.")


@router.post("/tickets", response_model=IntakeOut, responses=ERRORS, status_code=201)
async def create_ticket(
    body: TicketIn,
    workflow: WorkflowDep,
    caller: Annotated[Principal, role("intake")],
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> IntakeOut:
    """Store the ticket (redacted; its PII encrypted), triage it and draft a reply that waits
    for a specialist. Send an `Idempotency-Key` header: a retry returns the same case."""
    intake = await run_in_threadpool(workflow.receive, body.text, body.received_at, caller,
                                     idempotency_key, body.writer)
    return IntakeOut(**intake.__dict__)


@router.get("/tickets/{ticket_id}", responses=ERRORS)
async def get_ticket(ticket_id: str, workflow: WorkflowDep,
                     caller: Annotated[Principal, role("read_cases")]) -> dict[str, Any]:
    """The redacted ticket, its triage and its drafts."""
    return await run_in_threadpool(workflow.ticket_view, ticket_id)


@router.post("/tickets/{ticket_id}/reveal", responses=ERRORS)
async def reveal(ticket_id: str, workflow: WorkflowDep,
                 caller: Annotated[Principal, role("reveal")]) -> dict[str, Any]:
    """The ticket's PII (placeholder -> value), for a specialist; every reveal is audited."""
    return {"ticket_id": ticket_id,
            "pii": await run_in_threadpool(workflow.reveal, ticket_id, caller)}


@router.get("/cases/{case_id}/audit", responses=ERRORS)
async def case_audit(case_id: str, workflow: WorkflowDep,
                     caller: Annotated[Principal, role("read_cases")]) -> dict[str, Any]:
    """The case's audit events in order, each with its hash in the chain."""
    return {"case_id": case_id, "events": await run_in_threadpool(workflow.audit_trail, case_id)}

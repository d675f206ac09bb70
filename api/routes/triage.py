"""POST /v1/triage and /v1/triage/batch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import TriagerDep
from api.errors import ErrorResponse
from api.security import role
from assistant.store.keys import Principal
from api.schemas import BatchItem, BatchRequest, BatchResponse, TriageRequest
from assistant.errors import AssistantError
from assistant.ticket import Ticket
from assistant.triage.schema import BatchError, TriageResult

router = APIRouter(prefix="/v1", tags=["triage"])
ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 413, 422, 429, 503)}
Caller = Annotated[Principal, role("triage")]


@router.post("/triage", response_model=TriageResult, responses=ERRORS)
async def triage(body: TriageRequest, triager: TriagerDep, caller: Caller) -> TriageResult:
    """Intent, escalate or not with reasons, and the rest of the triage contract (agents:
    fast, stores nothing)."""
    return await run_in_threadpool(triager.triage, body.text, body.received_at)


@router.post("/triage/batch", response_model=BatchResponse, responses=ERRORS)
async def triage_batch(body: BatchRequest, triager: TriagerDep, caller: Caller) -> BatchResponse:
    """Up to 1,000 tickets in one call; a bad ticket gets an error item, not a failed call."""
    prepared: list[Ticket | AssistantError] = []
    for item in body.tickets:
        try:
            prepared.append(triager.prepare(item.text))
        except AssistantError as exc:
            prepared.append(exc)
    ok = [(t, s.received_at) for t, s in zip(prepared, body.tickets) if isinstance(t, Ticket)]
    results = iter(
        await run_in_threadpool(triager.triage_tickets, [t for t, _ in ok], [d for _, d in ok])
    )
    items = []
    for source, outcome in zip(body.tickets, prepared):
        if isinstance(outcome, AssistantError):
            items.append(BatchItem(id=source.id, error=BatchError(**outcome.to_dict())))
        else:
            items.append(BatchItem(id=source.id, result=next(results)))
    return BatchResponse(results=items)

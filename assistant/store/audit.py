"""The append-only, tamper-evident audit log.

Each event stores the hash of the event before it, and its own hash over its content and
that previous hash (SHA-256 of canonical JSON). Appending locks the one-row head table in
the same transaction as the event, so concurrent workers chain in order. ``verify``
recomputes the chain and names the first event that was changed, inserted or deleted
(a deleted last event shows against the head).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store.models import AuditEvent, AuditHead, utcnow

GENESIS = "0" * 64
EVENTS = (
    "ticket_received", "triaged", "drafted", "viewed", "pii_revealed", "edited", "approved",
    "rejected", "sent", "overridden", "resolution_indexed", "eval_run", "user_created",
    "user_revoked", "kb_ingested",
)  # fmt: skip


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "at": _utc(event.at).isoformat(timespec="microseconds"),
        "event": event.event,
        "actor_id": event.actor_id,
        "actor": event.actor,
        "case_id": event.case_id,
        "ticket_id": event.ticket_id,
        "draft_id": event.draft_id,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def append(
    s: Session,
    event: str,
    *,
    actor_id: int | None = None,
    actor: str = "system",
    case_id: str | None = None,
    ticket_id: str | None = None,
    draft_id: str | None = None,
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event in the caller's transaction (it commits with the change it records)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    head = s.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
    record = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        event=event,
        actor_id=actor_id,
        actor=actor,
        case_id=case_id,
        ticket_id=ticket_id,
        draft_id=draft_id,
        payload=payload or {},
        prev_hash=head.hash,
        hash="",
    )
    record.hash = event_hash(record)
    s.add(record)
    head.seq, head.hash = record.seq, record.hash
    s.flush()
    return record


@dataclass(frozen=True)
class Verdict:
    ok: bool
    events: int
    problem: str = ""  # what is wrong, naming the first bad event
    seq: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "problem": self.problem, "seq": self.seq}


def verify(s: Session) -> Verdict:
    events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    head = s.get(AuditHead, 1)
    prev, expected_seq = GENESIS, 1
    for e in events:
        if e.seq > expected_seq:
            return Verdict(False, len(events), f"event {expected_seq} was deleted (the log jumps "
                           f"from {expected_seq - 1} to {e.seq})", expected_seq)
        if e.prev_hash != prev:
            return Verdict(False, len(events), f"event {e.seq} does not follow event "
                           f"{e.seq - 1}: it was inserted, or the one before it was changed",
                           e.seq)
        if event_hash(e) != e.hash:
            return Verdict(False, len(events), f"event {e.seq} ({e.event}) was changed after "
                           "it was written", e.seq)
        prev, expected_seq = e.hash, e.seq + 1
    if head is None or head.seq != expected_seq - 1 or head.hash != prev:
        last = head.seq if head else "?"
        return Verdict(False, len(events), f"the log ends at event {expected_seq - 1} but "
                       f"the head says {last}: the last events were deleted", expected_seq)
    return Verdict(True, len(events))


def trail(s: Session, case_id: str) -> list[dict[str, Any]]:
    rows = s.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case_id).order_by(AuditEvent.seq)
    ).all()
    return [
        {"seq": e.seq, "at": e.at.isoformat(), "event": e.event, "actor": e.actor,
         "draft_id": e.draft_id, "payload": e.payload, "hash": e.hash}
        for e in rows
    ]

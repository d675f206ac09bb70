"""The case workflow: a ticket comes in, is stored, triaged and drafted; a specialist
approves (possibly edited), rejects, and marks it sent. Every step is one transaction with
its audit event, so nothing is half-written and the chain records exactly what happened.

Nothing becomes approved without a specialist: approvals carry the draft's version, and a
conditional update makes the first of two concurrent approvals win (the other gets 409).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import logging
import secrets
from dataclasses import dataclass
from typing import Any, Callable, Protocol

from rapidfuzz.distance import Levenshtein
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from assistant.drafting.schema import DraftResult
from assistant.errors import AssistantError, ConflictError, ForbiddenError, InputError, NotFoundError
from assistant.store import audit
from assistant.store.crypto import Vault
from assistant.store.db import read_session, session
from assistant.store.keys import Principal
from assistant.store.models import Case, Draft, DraftVersion, Review, Ticket, Triage, utcnow
from assistant.triage.schema import TriageResult

log = logging.getLogger(__name__)
SEVERITY_RANK = {None: 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
REVIEWERS = ("specialist", "admin")


class Drafting(Protocol):
    def draft(self, raw: str | bytes, received: dt.date | None = None, writer: str = "composer",
              reply_text: str | None = None) -> DraftResult: ...

    def draft_triaged(self, result: TriageResult, placeholders: dict[str, str],
                      writer: str = "composer", reply_text: str | None = None) -> DraftResult: ...


Indexer = Callable[[dict[str, Any]], str]  # an approved resolution -> its chunk id


def _id(prefix: str) -> str:
    return f"{prefix}-{utcnow():%y%m%d}-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Intake:
    case_id: str
    ticket_id: str
    draft_id: str
    created: bool  # False: an idempotent retry returned the existing case


class Workflow:
    def __init__(self, url: str, vault: Vault, drafter: Drafting,
                 indexer: Indexer | None = None) -> None:
        self.url = url
        self.vault = vault
        self.drafter = drafter
        self.indexer = indexer

    # ------------------------------------------------------------------ intake
    def receive(
        self,
        text: str | bytes,
        received: dt.date | None,
        actor: Principal | None,
        idempotency_key: str | None = None,
        writer: str = "composer",
        source: str = "api",
    ) -> Intake:
        if idempotency_key:
            found = self._by_idempotency(idempotency_key)
            if found:
                return found
        triager = self.drafter.triager  # type: ignore[attr-defined]
        result, guarded = triager.triage_record(text, received)
        draft = self.drafter.draft_triaged(result, guarded.redaction.placeholders, writer)
        ticket_id, case_id, draft_id = _id("T"), _id("C"), _id("D")
        clocks = [c.model_dump() for c in result.clocks]
        upcoming = sorted(c.deadline for c in result.clocks if c.deadline)
        who = actor.name if actor else "system"
        try:
            with session(self.url) as s:
                s.add(Ticket(
                    id=ticket_id, received_at=dt.date.fromisoformat(result.received_at or ""),
                    redacted_text=result.redacted_text,
                    pii_map=self.vault.seal(guarded.redaction.placeholders),
                    content_sha256=hashlib.sha256(result.redacted_text.encode()).hexdigest(),
                    idempotency_key=idempotency_key, source=source,
                    created_by=actor.user_id if actor else None,
                ))
                s.flush()
                s.add(Triage(
                    ticket_id=ticket_id, result=result.model_dump(mode="json"),
                    intent=result.intent, intent_confidence=result.intent_confidence,
                    escalate=result.escalate, severity=result.severity,
                    model_version=result.model_version, policy_version=result.policy_version,
                ))
                s.add(Case(
                    id=case_id, ticket_id=ticket_id, status="pending_review",
                    severity=result.severity, severity_rank=SEVERITY_RANK.get(result.severity, 0),
                    playbook=draft.plan.playbook, intent=result.intent,
                    reasons=[r.code for r in result.reasons], clocks=clocks,
                    nearest_deadline=dt.date.fromisoformat(upcoming[0]) if upcoming else None,
                ))
                s.flush()
                s.add(Draft(
                    id=draft_id, case_id=case_id, status="pending_review", version=1,
                    current_version=1, writer=draft.writer, playbook=draft.plan.playbook,
                    prompt_version=draft.prompt_version, playbook_version=draft.playbook_version,
                ))
                s.flush()
                s.add(_version(draft_id, 1, draft, None))
                ids = dict(case_id=case_id, ticket_id=ticket_id)
                audit.append(s, "ticket_received", actor_id=actor.user_id if actor else None,
                             actor=who, **ids, payload={"source": source,
                                                        "received_at": result.received_at,
                                                        "pii": len(guarded.redaction.placeholders)})
                audit.append(s, "triaged", actor=who, **ids, payload={
                    "intent": result.intent, "escalate": result.escalate,
                    "reasons": [r.code for r in result.reasons],
                    "clocks": [c["rule"] for c in clocks]})
                audit.append(s, "drafted", actor=who, draft_id=draft_id, **ids, payload={
                    "writer": draft.writer, "playbook": draft.plan.playbook,
                    "grounding": draft.grounding.verdict, "version": 1})
        except IntegrityError:
            # Two identical retries raced: the other one stored the case.
            found = self._by_idempotency(idempotency_key) if idempotency_key else None
            if found:
                return found
            raise
        return Intake(case_id, ticket_id, draft_id, True)

    def _by_idempotency(self, key: str) -> Intake | None:
        with read_session(self.url) as s:
            row = s.execute(
                select(Ticket.id, Case.id, Draft.id)
                .join(Case, Case.ticket_id == Ticket.id)
                .join(Draft, Draft.case_id == Case.id)
                .where(Ticket.idempotency_key == key)
            ).first()
        return Intake(row[1], row[0], row[2], False) if row else None

    # ------------------------------------------------------------------ reading
    def queue(self, status: str = "pending_review", reason: str | None = None,
              intent: str | None = None, limit: int = 200,
              today: dt.date | None = None) -> list[dict[str, Any]]:
        """Nearest regulatory deadline first, then severity, then age; overdue flagged."""
        today = today or dt.date.today()
        with read_session(self.url) as s:
            q = (
                select(Draft, Case, Ticket)
                .join(Case, Case.id == Draft.case_id)
                .join(Ticket, Ticket.id == Case.ticket_id)
                .where(Draft.status == status)
                .order_by(Case.nearest_deadline.is_(None), Case.nearest_deadline,
                          Case.severity_rank.desc(), Draft.created_at)
                .limit(limit)
            )
            if intent:
                q = q.where(Case.intent == intent)
            rows = s.execute(q).all()
        out = []
        for draft, case, ticket in rows:
            if reason and reason not in (case.reasons or []):
                continue
            days_left = (case.nearest_deadline - today).days if case.nearest_deadline else None
            out.append({
                "draft_id": draft.id, "case_id": case.id, "ticket_id": ticket.id,
                "status": draft.status, "version": draft.version, "playbook": case.playbook,
                "intent": case.intent, "severity": case.severity, "reasons": case.reasons,
                "nearest_deadline": case.nearest_deadline.isoformat() if case.nearest_deadline else None,
                "days_left": days_left, "overdue": days_left is not None and days_left < 0,
                "received_at": ticket.received_at.isoformat(),
                "created_at": draft.created_at.isoformat(),
                "preview": ticket.redacted_text[:140],
            })
        return out

    def draft_view(self, draft_id: str, actor: Principal | None = None) -> dict[str, Any]:
        with session(self.url) as s:
            draft = s.get(Draft, draft_id)
            if draft is None:
                raise NotFoundError(f"no draft {draft_id}", "see GET /v1/drafts for the queue")
            case = s.get(Case, draft.case_id)
            ticket = s.get(Ticket, case.ticket_id)  # type: ignore[union-attr]
            triage = s.scalar(select(Triage).where(Triage.ticket_id == ticket.id))  # type: ignore[union-attr]
            versions = s.scalars(select(DraftVersion).where(DraftVersion.draft_id == draft_id)
                                 .order_by(DraftVersion.number)).all()
            if actor is not None:
                audit.append(s, "viewed", actor_id=actor.user_id, actor=actor.name,
                             case_id=case.id, ticket_id=ticket.id, draft_id=draft_id)  # type: ignore[union-attr]
            current = versions[-1]
            return {
                "draft_id": draft.id, "case_id": case.id, "ticket_id": ticket.id,  # type: ignore[union-attr]
                "status": draft.status, "version": draft.version, "writer": draft.writer,
                "playbook": draft.playbook, "prompt_version": draft.prompt_version,
                "playbook_version": draft.playbook_version,
                "reply": current.reply, "citations": current.citations,
                "grounding": current.grounding, "plan": current.plan,
                "missing_information": current.missing_information,
                "writer_note": current.writer_note,
                "triage": triage.result if triage else {},
                "ticket": {"id": ticket.id, "received_at": ticket.received_at.isoformat(),  # type: ignore[union-attr]
                           "redacted_text": ticket.redacted_text},  # type: ignore[union-attr]
                "versions": [{"number": v.number, "writer": v.writer, "author_id": v.author_id,
                              "created_at": v.created_at.isoformat(),
                              "grounding": v.grounding.get("verdict"),
                              "override_reason": v.override_reason} for v in versions],
                "created_at": draft.created_at.isoformat(),
            }

    def ticket_view(self, ticket_id: str) -> dict[str, Any]:
        with read_session(self.url) as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFoundError(f"no ticket {ticket_id}", "check the id (GET /v1/drafts lists cases)")
            case = s.scalar(select(Case).where(Case.ticket_id == ticket_id))
            triage = s.scalar(select(Triage).where(Triage.ticket_id == ticket_id))
            drafts = s.scalars(select(Draft).where(Draft.case_id == case.id)).all() if case else []
            return {
                "ticket_id": ticket.id, "received_at": ticket.received_at.isoformat(),
                "redacted_text": ticket.redacted_text, "source": ticket.source,
                "case_id": case.id if case else None, "case_status": case.status if case else None,
                "triage": triage.result if triage else None,
                "drafts": [{"draft_id": d.id, "status": d.status, "version": d.version} for d in drafts],
                "created_at": ticket.created_at.isoformat(),
            }

    def reveal(self, ticket_id: str, actor: Principal) -> dict[str, str]:
        """The PII of a ticket, for a specialist; every reveal is an audit event."""
        if actor.role not in REVIEWERS:
            raise ForbiddenError("only specialists may reveal a ticket's personal data",
                                 "ask a specialist")
        with session(self.url) as s:
            ticket = s.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFoundError(f"no ticket {ticket_id}", "check the id")
            case = s.scalar(select(Case).where(Case.ticket_id == ticket_id))
            mapping = self.vault.open(ticket.pii_map)
            audit.append(s, "pii_revealed", actor_id=actor.user_id, actor=actor.name,
                         case_id=case.id if case else None, ticket_id=ticket_id,
                         payload={"placeholders": sorted(mapping)})
        return mapping

    def audit_trail(self, case_id: str) -> list[dict[str, Any]]:
        with session(self.url) as s:
            if s.get(Case, case_id) is None:
                raise NotFoundError(f"no case {case_id}", "check the id")
            return audit.trail(s, case_id)

    # ------------------------------------------------------------------ checking
    def check(self, draft_id: str, text: str) -> DraftResult:
        """Ground a reply a person is writing against the draft's ticket (the review page
        calls this as the specialist types)."""
        result, placeholders = self._triage_of(draft_id)
        return self.drafter.draft_triaged(result, placeholders, reply_text=text)

    def _triage_of(self, draft_id: str) -> tuple[TriageResult, dict[str, str]]:
        with read_session(self.url) as s:
            draft = s.get(Draft, draft_id)
            if draft is None:
                raise NotFoundError(f"no draft {draft_id}", "see GET /v1/drafts")
            case = s.get(Case, draft.case_id)
            ticket = s.get(Ticket, case.ticket_id)  # type: ignore[union-attr]
            triage = s.scalar(select(Triage).where(Triage.ticket_id == ticket.id))  # type: ignore[union-attr]
            return TriageResult.model_validate(triage.result), self.vault.open(ticket.pii_map)  # type: ignore[union-attr]

    # ------------------------------------------------------------------ decisions
    def approve(self, draft_id: str, version: int, actor: Principal, text: str | None = None,
                override_reason: str | None = None) -> dict[str, Any]:
        if actor.role not in REVIEWERS:
            raise ForbiddenError("only a specialist may approve a draft", "ask a specialist")
        edited: DraftResult | None = None
        current = self._current(draft_id)
        if text is not None and text.strip() and text.strip() != current.reply.strip():
            edited = self.check(draft_id, text.strip())
            if edited.grounding.verdict == "fail" and not (override_reason or "").strip():
                raise ConflictError(
                    f"the edited reply fails the grounding check ({len(edited.grounding.unsupported)} "
                    "unsupported claims)",
                    "fix the findings, or approve with an override_reason that a person will audit",
                ).with_details({"grounding": edited.grounding.model_dump()})
        now = utcnow()
        with session(self.url) as s:
            changed = s.execute(
                update(Draft)
                .where(Draft.id == draft_id, Draft.version == version,
                       Draft.status == "pending_review")
                .values(status="approved", version=Draft.version + 1, decided_at=now,
                        decided_by=actor.user_id, updated_at=now,
                        current_version=Draft.current_version + (1 if edited else 0))
            ).rowcount
            if changed != 1:
                raise self._conflict(s, draft_id)
            draft = s.get(Draft, draft_id)
            case = s.get(Case, draft.case_id)  # type: ignore[union-attr]
            case.status = "approved"  # type: ignore[union-attr]
            case.updated_at = now  # type: ignore[union-attr]
            ids = dict(case_id=case.id, ticket_id=case.ticket_id, draft_id=draft_id)  # type: ignore[union-attr]
            final = current.reply
            diff: list[Any] = []
            distance = 0
            if edited is not None:
                number = draft.current_version  # type: ignore[union-attr]
                s.add(_version(draft_id, number, edited, actor.user_id, text.strip(),  # type: ignore[union-attr]
                               override_reason))
                final = text.strip()  # type: ignore[union-attr]
                diff = word_diff(current.reply, final)
                distance = Levenshtein.distance(current.reply.split(), final.split())
                audit.append(s, "edited", actor_id=actor.user_id, actor=actor.name, **ids,
                             payload={"version": number, "diff": diff, "edit_distance": distance,
                                      "grounding": edited.grounding.verdict})
                if edited.grounding.verdict == "fail":
                    audit.append(s, "overridden", actor_id=actor.user_id, actor=actor.name, **ids,
                                 payload={"reason": override_reason, "findings": [
                                     f.model_dump() for f in edited.grounding.unsupported]})
            waited = (now - _aware(draft.created_at)).total_seconds()  # type: ignore[union-attr]
            s.add(Review(draft_id=draft_id, reviewer_id=actor.user_id,
                         outcome="edited" if edited else "unchanged", word_diff=diff,
                         edit_distance=distance, waited_seconds=waited,
                         playbook=draft.playbook, intent=case.intent, writer=draft.writer))  # type: ignore[union-attr]
            audit.append(s, "approved", actor_id=actor.user_id, actor=actor.name, **ids,
                         payload={"version": draft.current_version, "edited": edited is not None})  # type: ignore[union-attr]
            ticket = s.get(Ticket, case.ticket_id)  # type: ignore[union-attr]
            resolution = {
                "draft_id": draft_id, "case_id": case.id, "playbook": draft.playbook,  # type: ignore[union-attr]
                "intent": case.intent, "approved_on": now.date().isoformat(),  # type: ignore[union-attr]
                "summary": ticket.redacted_text, "reply": final,  # type: ignore[union-attr]
            }
        chunk_id = self._index_resolution(resolution)
        if chunk_id is not None:  # the index works: take up what an outage left pending
            try:
                self.index_pending_resolutions(limit=5)
            except AssistantError as exc:
                log.warning("pending resolutions not indexed: %s", exc)
        return {"draft_id": draft_id, "status": "approved", "edited": edited is not None,
                "resolution_chunk_id": chunk_id}

    # ------------------------------------------------------------------ resolutions
    def _index_resolution(self, resolution: dict[str, Any]) -> str | None:
        """Index an approved reply as a past resolution. The approval is already committed:
        when the index cannot take it now (a `chroma run` server down), the approval stands
        and :meth:`index_pending_resolutions` indexes it later; the draft's
        ``resolution_chunk_id`` stays empty until then (an outbox in the drafts table)."""
        if self.indexer is None:
            return None
        try:
            chunk_id = self.indexer(resolution)
        except Exception as exc:  # noqa: BLE001 - any index failure leaves it pending
            log.warning("resolution of draft %s not indexed yet (%s: %s); it is retried",
                        resolution["draft_id"], type(exc).__name__, str(exc)[:200])
            return None
        with session(self.url) as s:
            s.execute(update(Draft).where(Draft.id == resolution["draft_id"])
                      .values(resolution_chunk_id=chunk_id))
            audit.append(s, "resolution_indexed", actor="system",
                         draft_id=resolution["draft_id"], case_id=resolution["case_id"],
                         payload={"chunk_id": chunk_id})
        return chunk_id

    def pending_resolutions(self, limit: int = 100) -> list[dict[str, Any]]:
        """Approved (or sent) drafts whose reply is not in the index yet."""
        with read_session(self.url) as s:
            rows = s.execute(
                select(Draft, Case, Ticket, DraftVersion)
                .join(Case, Case.id == Draft.case_id)
                .join(Ticket, Ticket.id == Case.ticket_id)
                .join(DraftVersion, (DraftVersion.draft_id == Draft.id)
                      & (DraftVersion.number == Draft.current_version))
                .where(Draft.status.in_(("approved", "sent")),
                       Draft.resolution_chunk_id.is_(None))
                .order_by(Draft.decided_at)
                .limit(limit)
            ).all()
            return [{
                "draft_id": d.id, "case_id": c.id, "playbook": d.playbook, "intent": c.intent,
                "approved_on": _aware(d.decided_at or d.updated_at).date().isoformat(),
                "summary": t.redacted_text, "reply": v.reply,
            } for d, c, t, v in rows]

    def index_pending_resolutions(self, limit: int = 100) -> int:
        """Index what an earlier failure left pending; returns how many were indexed. The
        service runs it at start-up, so a process killed between an approval and its
        indexing loses nothing."""
        if self.indexer is None:
            return 0
        return sum(self._index_resolution(r) is not None
                   for r in self.pending_resolutions(limit))

    def reject(self, draft_id: str, version: int, actor: Principal, reason: str) -> dict[str, Any]:
        if actor.role not in REVIEWERS:
            raise ForbiddenError("only a specialist may reject a draft", "ask a specialist")
        if not reason or not reason.strip():
            raise InputError("a rejection needs a reason", "say what is wrong with the draft")
        now = utcnow()
        with session(self.url) as s:
            changed = s.execute(
                update(Draft).where(Draft.id == draft_id, Draft.version == version,
                                    Draft.status == "pending_review")
                .values(status="rejected", version=Draft.version + 1, decided_at=now,
                        decided_by=actor.user_id, updated_at=now)
            ).rowcount
            if changed != 1:
                raise self._conflict(s, draft_id)
            draft = s.get(Draft, draft_id)
            case = s.get(Case, draft.case_id)  # type: ignore[union-attr]
            case.status = "rejected"  # type: ignore[union-attr]
            waited = (now - _aware(draft.created_at)).total_seconds()  # type: ignore[union-attr]
            s.add(Review(draft_id=draft_id, reviewer_id=actor.user_id, outcome="rejected",
                         reason=reason.strip(), waited_seconds=waited, playbook=draft.playbook,  # type: ignore[union-attr]
                         intent=case.intent, writer=draft.writer))  # type: ignore[union-attr]
            audit.append(s, "rejected", actor_id=actor.user_id, actor=actor.name,
                         case_id=case.id, ticket_id=case.ticket_id, draft_id=draft_id,  # type: ignore[union-attr]
                         payload={"reason": reason.strip()})
        return {"draft_id": draft_id, "status": "rejected"}

    def mark_sent(self, draft_id: str, actor: Principal) -> dict[str, Any]:
        if actor.role not in REVIEWERS:
            raise ForbiddenError("only a specialist may mark a reply sent", "ask a specialist")
        now = utcnow()
        with session(self.url) as s:
            changed = s.execute(
                update(Draft).where(Draft.id == draft_id, Draft.status == "approved")
                .values(status="sent", sent_at=now, version=Draft.version + 1, updated_at=now)
            ).rowcount
            if changed != 1:
                raise self._conflict(s, draft_id, need="approved")
            draft = s.get(Draft, draft_id)
            case = s.get(Case, draft.case_id)  # type: ignore[union-attr]
            case.status = "sent"  # type: ignore[union-attr]
            audit.append(s, "sent", actor_id=actor.user_id, actor=actor.name, case_id=case.id,  # type: ignore[union-attr]
                         ticket_id=case.ticket_id, draft_id=draft_id)  # type: ignore[union-attr]
        return {"draft_id": draft_id, "status": "sent"}

    def _current(self, draft_id: str) -> DraftVersion:
        with read_session(self.url) as s:
            draft = s.get(Draft, draft_id)
            if draft is None:
                raise NotFoundError(f"no draft {draft_id}", "see GET /v1/drafts")
            return s.scalar(select(DraftVersion).where(
                DraftVersion.draft_id == draft_id, DraftVersion.number == draft.current_version))  # type: ignore[return-value]

    @staticmethod
    def _conflict(s, draft_id: str, need: str = "pending_review") -> Exception:  # type: ignore[no-untyped-def]
        draft = s.get(Draft, draft_id)
        if draft is None:
            return NotFoundError(f"no draft {draft_id}", "see GET /v1/drafts")
        if draft.status != need:
            return ConflictError(f"draft {draft_id} is {draft.status}, not {need.replace('_', ' ')}",
                                 "reload it: someone else has decided it")
        return ConflictError(f"draft {draft_id} changed since you read it (now version "
                             f"{draft.version})", "reload the draft and decide again")

    def case_stream(self, since: dt.date | None = None, until: dt.date | None = None,
                    today: dt.date | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """Stored tickets (redacted) with their case's outcome, for the trends analysis,
        and the regulatory clocks met and missed: met when the case was decided (approved,
        rejected or sent) by its nearest deadline; missed when decided later, or still
        pending after it."""
        today = today or dt.date.today()
        q = select(Ticket.id, Ticket.redacted_text, Ticket.received_at, Case.status,
                   Case.nearest_deadline, Case.updated_at).join(Case, Case.ticket_id == Ticket.id)
        if since:
            q = q.where(Ticket.received_at >= since)
        if until:
            q = q.where(Ticket.received_at <= until)
        rows, clocks = [], {"met": 0, "missed": 0, "running": 0}
        with read_session(self.url) as s:
            for tid, text, received, status, deadline, updated in s.execute(q):
                rows.append({"id": tid, "text": text, "received_at": received.isoformat(),
                             "outcome": status})
                if deadline is None:
                    continue
                decided = status != "pending_review"
                if decided:
                    clocks["met" if updated.date() <= deadline else "missed"] += 1
                else:
                    clocks["missed" if deadline < today else "running"] += 1
        return rows, clocks

    def status_counts(self) -> dict[str, int]:
        with read_session(self.url) as s:
            rows = s.execute(select(Draft.status, func.count()).group_by(Draft.status)).all()
        return {status: n for status, n in rows}

    def overdue_count(self, today: dt.date | None = None) -> int:
        today = today or dt.date.today()
        with read_session(self.url) as s:
            return int(s.scalar(
                select(func.count()).select_from(Case)
                .where(Case.status == "pending_review", Case.nearest_deadline < today)) or 0)

    # ------------------------------------------------------------------ statistics
    def review_stats(self, since: dt.date | None = None, until: dt.date | None = None) -> dict[str, Any]:
        """Acceptance, edit rate and median edit distance by playbook, intent and writer."""
        with read_session(self.url) as s:
            q = select(Review)
            if since:
                q = q.where(Review.created_at >= dt.datetime.combine(since, dt.time(), dt.timezone.utc))
            if until:
                q = q.where(Review.created_at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.timezone.utc))
            reviews = s.scalars(q).all()
            pending = s.scalar(select(func.count()).select_from(Draft).where(Draft.status == "pending_review"))
        def summarise(rows: list[Review]) -> dict[str, Any]:
            n = len(rows)
            unchanged = sum(r.outcome == "unchanged" for r in rows)
            edited = [r for r in rows if r.outcome == "edited"]
            rejected = sum(r.outcome == "rejected" for r in rows)
            distances = sorted(r.edit_distance for r in edited)
            waits = sorted(r.waited_seconds for r in rows)
            return {
                "reviews": n,
                "acceptance_rate": round((n - rejected) / n, 4) if n else None,
                "unchanged_rate": round(unchanged / n, 4) if n else None,
                "edit_rate": round(len(edited) / n, 4) if n else None,
                "rejection_rate": round(rejected / n, 4) if n else None,
                "median_edit_distance": distances[len(distances) // 2] if distances else None,
                "median_wait_minutes": round(waits[len(waits) // 2] / 60, 1) if waits else None,
            }
        out: dict[str, Any] = {"since": since.isoformat() if since else None,
                               "until": until.isoformat() if until else None,
                               "pending_review": pending, **summarise(list(reviews))}
        for field in ("playbook", "intent", "writer"):
            groups: dict[str, list[Review]] = {}
            for r in reviews:
                groups.setdefault(getattr(r, field), []).append(r)
            out[f"by_{field}"] = {k: summarise(v) for k, v in sorted(groups.items())}
        return out


def _version(draft_id: str, number: int, draft: DraftResult, author_id: int | None,
             reply: str | None = None, override_reason: str | None = None) -> DraftVersion:
    return DraftVersion(
        draft_id=draft_id, number=number, reply=reply if reply is not None else draft.reply,
        citations=[c.model_dump() for c in draft.citations],
        grounding=draft.grounding.model_dump(), plan=draft.plan.model_dump(),
        missing_information=[m.model_dump() for m in draft.missing_information],
        writer=draft.writer, writer_note=draft.writer_note, author_id=author_id,
        override_reason=override_reason,
    )


def word_diff(before: str, after: str) -> list[list[Any]]:
    """Word-level diff: [op, old words, new words] for each change (difflib opcodes)."""
    a, b = before.split(), after.split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op != "equal":
            out.append([op, " ".join(a[i1:i2]), " ".join(b[j1:j2])])
    return out


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)

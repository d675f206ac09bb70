"""The triage pipeline for one ticket or a batch: validate, guard, classify, decide, clock."""

from __future__ import annotations

from datetime import date
from typing import Sequence

import numpy as np

from assistant.clocks.calendar import BusinessCalendar
from assistant.clocks.facts import DISPUTED_BY_INTENT, UNAUTHORIZED_BY_INTENT, clock_facts
from assistant.clocks.rules import compute_deadlines
from assistant.config import Settings
from assistant.escalation.engine import Decision, EscalationEngine, FiredRule
from assistant.guards.guard import GuardedTicket, Guards
from assistant.intent.classifier import IntentClassifier, IntentPrediction
from assistant.ticket import Ticket, prepare_ticket
from assistant.triage.schema import (
    Alternative,
    Clock,
    Injection,
    PiiSpan,
    Reason,
    TriageResult,
)

_INJECTION_DESCRIPTION = (
    "The ticket contains text that tries to instruct an AI system; a person should read "
    "it, and it is only ever treated as data."
)


class Triager:
    """Stateless apart from the injected models; safe to share across requests."""

    def __init__(
        self,
        classifier: IntentClassifier,
        guards: Guards,
        settings: Settings,
        escalation: EscalationEngine,
        calendar: BusinessCalendar,
    ) -> None:
        self.classifier = classifier
        self.guards = guards
        self.settings = settings
        self.escalation = escalation
        self.calendar = calendar

    def prepare(self, raw: str | bytes) -> Ticket:
        return prepare_ticket(raw, self.settings.max_ticket_chars)

    def triage(self, raw: str | bytes, received: date | None = None) -> TriageResult:
        return self.triage_record(raw, received)[0]

    def triage_record(
        self, raw: str | bytes, received: date | None = None
    ) -> tuple[TriageResult, GuardedTicket]:
        """The public result plus the private record (with the PII placeholder map)."""
        guarded = self.guards.check(self.prepare(raw))
        # Models see redacted text; the injection head reuses the intent encoder's embedding.
        (prediction,), emb = self.classifier.predict_with_embeddings([guarded.text])
        guarded = self.guards.add_embedding_opinion(guarded, emb[0])
        return self._result(guarded, prediction, received or date.today()), guarded

    def triage_tickets(
        self, tickets: Sequence[Ticket], received: Sequence[date | None] | None = None
    ) -> list[TriageResult]:
        """Triage already-prepared tickets in one batched model call."""
        return self.triage_tickets_with_embeddings(tickets, received)[0]

    def triage_tickets_with_embeddings(
        self, tickets: Sequence[Ticket], received: Sequence[date | None] | None = None
    ) -> tuple[list[TriageResult], np.ndarray]:
        """Like `triage_tickets`, plus the intent encoder's embedding of each redacted text
        (the trends analysis clusters on it instead of encoding the text again)."""
        if not tickets:  # e.g. a batch whose every ticket was refused
            return [], np.zeros((0, 0), dtype=np.float32)
        guarded = [self.guards.check(t) for t in tickets]
        predictions, emb = self.classifier.predict_with_embeddings([g.text for g in guarded])
        guarded = [self.guards.add_embedding_opinion(g, e) for g, e in zip(guarded, emb)]
        days = list(received) if received is not None else [None] * len(tickets)
        today = date.today()
        results = [self._result(g, p, d or today) for g, p, d in zip(guarded, predictions, days)]
        return results, emb

    def _result(
        self, guarded: GuardedTicket, prediction: IntentPrediction, received: date
    ) -> TriageResult:
        ticket, injection, redaction = guarded.ticket, guarded.injection, guarded.redaction
        # Signals are read from the redacted text (evidence never carries PII); their
        # offsets are mapped back to the ticket text, like the PII and injection spans.
        decision = self.escalation.decide(
            guarded.text, prediction.label, prediction.confidence, prediction.alternatives
        )
        reasons = [self._reason(f, redaction.original_offset) for f in decision.fired]
        if injection.detected:
            reasons.insert(
                0,
                Reason(
                    code="prompt_injection",
                    description=_INJECTION_DESCRIPTION,
                    evidence=injection.evidence,
                    start=injection.start,
                    end=injection.end,
                    severity="critical",
                ),
            )
        escalate = decision.escalate or injection.detected
        facts = clock_facts(guarded.text, received, sorted(_clock_cues(decision)))
        clocks = [
            Clock(
                rule=d.rule,
                deadline=d.deadline.isoformat() if d.deadline else None,
                citation=d.citation,
                note=d.note,
                chunk_id=d.chunk_id,
                starts_from=d.starts_from.isoformat() if d.starts_from else None,
            )
            for d in compute_deadlines(facts, self.calendar)
        ]
        return TriageResult(
            intent=prediction.label,
            intent_confidence=round(prediction.confidence, 4),
            intent_alternatives=[
                Alternative(intent=label_, confidence=round(p, 4))
                for label_, p in prediction.alternatives
            ],
            escalate=escalate,
            escalation_score=1.0 if injection.detected else decision.score,
            severity="critical" if injection.detected else decision.severity,
            reasons=reasons,
            summary=_summary(escalate, prediction, reasons, received, clocks),
            language=decision.language.code,
            received_at=received.isoformat(),
            clocks=clocks,
            pii=[
                PiiSpan(type=f.type, start=f.start, end=f.end, placeholder=placeholder)
                for f, placeholder in zip(redaction.findings, redaction.labels)
            ],
            redacted_text=guarded.text,
            injection=Injection(
                detected=injection.detected,
                score=injection.score,
                evidence=injection.evidence,
                start=injection.start,
                end=injection.end,
                source=injection.source,
                embedding_score=injection.embedding_score,
            ),
            warnings=ticket.warnings,
            model_version=str(self.classifier.meta.get("created_at", "unknown")),
            policy_version=self.escalation.policy.version,
        )

    @staticmethod
    def _reason(fired: FiredRule, to_original) -> Reason:  # type: ignore[no-untyped-def]
        has_span = fired.start is not None and fired.end is not None
        return Reason(
            code=fired.rule.code,
            description=" ".join(fired.rule.description.split()),
            evidence=fired.evidence,
            start=to_original(fired.start) if has_span else None,
            end=to_original(fired.end) if has_span else None,
            severity=fired.rule.severity,
            action=fired.rule.action,
        )


def _summary(
    escalate: bool,
    prediction: IntentPrediction,
    reasons: list[Reason],
    received: date,
    clocks: list[Clock],
) -> str:
    """One line an agent reads in two seconds: the verdict, why, and the first deadline."""
    intent = f"{prediction.label.replace('_', ' ')} ({prediction.confidence:.0%})"
    escalating = [r for r in reasons if r.action == "escalate"]
    flags = [r for r in reasons if r.action != "escalate"]
    if not escalate:
        tail = f"; check: {', '.join(r.code.replace('_', ' ') for r in flags)}" if flags else ""
        return f"Handle: {intent}{tail}"
    severity = escalating[0].severity.upper() if escalating else "CRITICAL"
    why = ", ".join(r.code.replace("_", " ") for r in escalating[:3])
    if len(escalating) > 3:
        why += f" +{len(escalating) - 3}"
    upcoming = [c for c in clocks if c.deadline and c.deadline >= received.isoformat()]
    dated = sorted(upcoming, key=lambda c: c.deadline or "")
    due = f"; first deadline {dated[0].deadline} ({dated[0].rule})" if dated else ""
    return f"ESCALATE [{severity}]: {why} - {intent}{due}"


# Signals that explain a ticket without any unauthorized transfer: with one of them, a
# confident "payment not recognised" intent is not taken as an unauthorized transfer.
_OTHER_ISSUE_SIGNALS = frozenset({"account_restricted", "scam"})


def _clock_cues(decision: Decision) -> set[str]:
    """The evidence the clocks may use: the text's signals. The intent only counts where
    the text says nothing against it: a confident "not recognised" intent with no other
    issue in the text stands for an unauthorized transfer (flagged in the clock's note,
    since missing a Reg E deadline is the costlier mistake), and so does a confident
    "charged twice" / "wrong amount of cash" intent for an amount in error; a frozen account
    read as a card payment not recognised starts no Reg E clock."""
    cues = {s.code for s in decision.signals}

    def by_intent(code: str) -> bool:  # the policy's confident-intent rule, not intent + cue
        return any(
            f.rule.code == code and f.rule.when.confidence_at_least and not f.rule.when.signals
            for f in decision.fired
        )

    if cues & _OTHER_ISSUE_SIGNALS:
        return cues
    if by_intent("unauthorized_transaction") and "unauthorized_transaction" not in cues:
        cues.add(UNAUTHORIZED_BY_INTENT)
    if by_intent("disputed_transaction"):  # charged twice, wrong amount of cash
        cues.add(DISPUTED_BY_INTENT)
    return cues

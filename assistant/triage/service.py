"""The triage pipeline for one ticket or a batch: validate, classify, decide."""

from __future__ import annotations

from typing import Sequence

from assistant.config import Settings
from assistant.guards.guard import GuardedTicket, Guards
from assistant.intent.classifier import IntentClassifier, IntentPrediction
from assistant.ticket import Ticket, prepare_ticket
from assistant.triage.schema import Alternative, Injection, PiiSpan, Reason, TriageResult


class Triager:
    """Stateless apart from the injected models; safe to share across requests."""

    def __init__(self, classifier: IntentClassifier, guards: Guards, settings: Settings) -> None:
        self.classifier = classifier
        self.guards = guards
        self.settings = settings

    def prepare(self, raw: str | bytes) -> Ticket:
        return prepare_ticket(raw, self.settings.max_ticket_chars)

    def triage(self, raw: str | bytes) -> TriageResult:
        return self.triage_record(raw)[0]

    def triage_record(self, raw: str | bytes) -> tuple[TriageResult, GuardedTicket]:
        """The public result plus the private record (with the PII placeholder map)."""
        guarded = self.guards.check(self.prepare(raw))
        (prediction,) = self.classifier.predict([guarded.text])  # models see redacted text
        return self._result(guarded, prediction), guarded

    def triage_tickets(self, tickets: Sequence[Ticket]) -> list[TriageResult]:
        """Triage already-prepared tickets in one batched model call."""
        guarded = [self.guards.check(t) for t in tickets]
        predictions = self.classifier.predict([g.text for g in guarded])
        return [self._result(g, p) for g, p in zip(guarded, predictions)]

    def _result(self, guarded: GuardedTicket, prediction: IntentPrediction) -> TriageResult:
        ticket, injection = guarded.ticket, guarded.injection
        reasons: list[Reason] = []
        if injection.detected:
            reasons.append(
                Reason(
                    code="prompt_injection",
                    description="The ticket contains text that tries to instruct an AI "
                    "system; a person should read it, and it is only ever treated as data.",
                    evidence=injection.evidence,
                    start=injection.start,
                    end=injection.end,
                )
            )
        if prediction.confidence < self.settings.low_confidence:
            reasons.append(
                Reason(
                    code="low_intent_confidence",
                    description="The classifier is unsure what the ticket is about; "
                    "a person should read it.",
                    evidence=f"{prediction.label} at {prediction.confidence:.2f} "
                    f"(threshold {self.settings.low_confidence:.2f})",
                )
            )
        escalate = bool(reasons)
        label = prediction.label.replace("_", " ")
        summary = (
            f"{'ESCALATE' if escalate else 'Handle'}: {label} "
            f"({prediction.confidence:.0%})"
            + (f" - {reasons[0].code.replace('_', ' ')}" if reasons else "")
        )
        return TriageResult(
            intent=prediction.label,
            intent_confidence=round(prediction.confidence, 4),
            intent_alternatives=[
                Alternative(intent=label_, confidence=round(p, 4))
                for label_, p in prediction.alternatives
            ],
            escalate=escalate,
            reasons=reasons,
            summary=summary,
            pii=[
                PiiSpan(type=f.type, start=f.start, end=f.end, placeholder=placeholder)
                for f, placeholder in zip(guarded.redaction.findings, guarded.redaction.labels)
            ],
            redacted_text=guarded.text,
            injection=Injection(
                detected=injection.detected,
                score=injection.score,
                evidence=injection.evidence,
                start=injection.start,
                end=injection.end,
                source=injection.source,
            ),
            warnings=ticket.warnings,
            model_version=str(self.classifier.meta.get("created_at", "unknown")),
        )

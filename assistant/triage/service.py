"""The triage pipeline for one ticket or a batch: validate, classify, decide."""

from __future__ import annotations

from typing import Sequence

from assistant.config import Settings
from assistant.intent.classifier import IntentClassifier, IntentPrediction
from assistant.ticket import Ticket, prepare_ticket
from assistant.triage.schema import Alternative, Reason, TriageResult


class Triager:
    """Stateless apart from the injected classifier; safe to share across requests."""

    def __init__(self, classifier: IntentClassifier, settings: Settings) -> None:
        self.classifier = classifier
        self.settings = settings

    def prepare(self, raw: str | bytes) -> Ticket:
        return prepare_ticket(raw, self.settings.max_ticket_chars)

    def triage(self, raw: str | bytes) -> TriageResult:
        ticket = self.prepare(raw)
        (prediction,) = self.classifier.predict([ticket.text])
        return self._result(ticket, prediction)

    def triage_tickets(self, tickets: Sequence[Ticket]) -> list[TriageResult]:
        """Triage already-prepared tickets in one batched model call."""
        predictions = self.classifier.predict([t.text for t in tickets])
        return [self._result(t, p) for t, p in zip(tickets, predictions)]

    def _result(self, ticket: Ticket, prediction: IntentPrediction) -> TriageResult:
        reasons: list[Reason] = []
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
            redacted_text=ticket.text,
            warnings=ticket.warnings,
            model_version=str(self.classifier.meta.get("created_at", "unknown")),
        )

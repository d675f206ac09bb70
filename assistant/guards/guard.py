"""The guards as one step of the pipeline: redact PII, score injection, report both."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.guards.injection import InjectionDetector, InjectionScore
from assistant.guards.pii import PiiDetector, Redaction
from assistant.ticket import Ticket


@dataclass(frozen=True)
class GuardedTicket:
    """What every later step may see (``redaction.text``) plus the private record.

    ``redaction.placeholders`` maps ``[CARD_1]`` back to the number: it belongs to the
    service's own record of the ticket and is never logged, indexed or sent to a model.
    """

    ticket: Ticket
    redaction: Redaction
    injection: InjectionScore

    @property
    def text(self) -> str:
        return self.redaction.text


class Guards:
    def __init__(self, pii: PiiDetector, injection: InjectionDetector) -> None:
        self.pii = pii
        self.injection = injection

    def check(self, ticket: Ticket) -> GuardedTicket:
        redaction = self.pii.redact(ticket.text)
        injection = self.injection.score(ticket.text, ticket.hidden_text)
        if injection.evidence:  # evidence is shown to people and stored: redact it too
            evidence = (
                redaction.redact_span(injection.start, injection.end, ticket.text)
                if injection.start is not None and injection.end is not None
                else redaction.scrub(injection.evidence)
            )
            injection = InjectionScore(
                injection.detected,
                injection.score,
                evidence[:300],
                injection.start,
                injection.end,
                injection.source,
            )
        return GuardedTicket(ticket, redaction, injection)

"""The guards as one step of the pipeline: redact PII, score injection, report both."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from assistant.guards.embedding_head import EmbeddingInjectionHead
from assistant.guards.injection import InjectionDetector, InjectionScore
from assistant.guards.pii import PiiDetector, Redaction
from assistant.ticket import Ticket

if TYPE_CHECKING:
    from assistant.escalation.language import LanguageIdentifier

Embed = Callable[[Sequence[str]], np.ndarray]


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
    """PII redaction and the lexical injection detector (``check``), plus the optional
    embedding head, whose opinion is added once the intent encoder has embedded the
    redacted text (``add_embedding_opinion``): triage runs that encoder anyway."""

    def __init__(
        self,
        pii: PiiDetector,
        injection: InjectionDetector,
        head: EmbeddingInjectionHead | None = None,
        language: LanguageIdentifier | None = None,
    ) -> None:
        self.pii = pii
        self.injection = injection
        self.head = head
        self.language = language

    def add_embedding_opinion(self, guarded: GuardedTicket, embedding: np.ndarray) -> GuardedTicket:
        """OR the embedding head into the injection verdict (each keeps its threshold)."""
        if self.head is None:
            return guarded
        p = round(float(self.head.probabilities(embedding)[0]), 4)
        lexical = guarded.injection
        # The head reads the English intent encoder's embedding and learnt its threshold on
        # English text; on another language its score says little (plain Spanish and
        # German questions scored above it), so there the lexical detector decides alone.
        if lexical.detected or p < self.head.threshold or self._foreign(guarded.text):
            return replace(guarded, injection=replace(lexical, embedding_score=p))
        # A whole-text judgment: the evidence is the (redacted) ticket itself.
        flagged = InjectionScore(
            True, p, guarded.text[:300], 0, len(guarded.ticket.text), "embedding", p
        )
        return replace(guarded, injection=flagged)

    def _foreign(self, text: str) -> bool:
        # Asked only when the head would flag: most tickets never pay for the identifier here.
        return self.language is not None and self.language.identify(text).code not in ("en", "und")

    def check(self, ticket: Ticket) -> GuardedTicket:
        redaction = self.pii.redact(ticket.text)
        injection = self.injection.score(ticket.text, ticket.hidden_text)
        if injection.evidence:  # evidence is shown to people and stored: redact it too
            evidence = (
                redaction.redact_span(injection.start, injection.end, ticket.text)
                if injection.start is not None and injection.end is not None
                else redaction.scrub(injection.evidence)
            )
            injection = replace(injection, evidence=evidence[:300])
        return GuardedTicket(ticket, redaction, injection)

    def check_texts(self, texts: Sequence[str], embed: Embed | None = None) -> list[GuardedTicket]:
        """The guards' verdicts on plain texts as triage reaches them: PII, the lexical
        detector, and, given the intent encoder's ``embed``, the embedding head."""
        guarded = [self.check(Ticket(text, len(text))) for text in texts]
        if self.head is None or embed is None or not guarded:
            return guarded
        vectors = embed([g.text for g in guarded])
        return [self.add_embedding_opinion(g, v) for g, v in zip(guarded, vectors)]

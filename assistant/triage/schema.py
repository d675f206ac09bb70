"""The triage JSON contract (DESIGN.md), shared by the CLI and the API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Reason(BaseModel):
    code: str = Field(description="Machine-readable reason code, e.g. low_intent_confidence.")
    description: str = Field(description="What the reason means, for a person.")
    evidence: str = Field(description="The text (or figure) that triggered the reason (redacted).")
    start: int | None = Field(
        default=None, description="Evidence start offset in the ticket text (after input repairs)."
    )
    end: int | None = Field(default=None, description="Evidence end offset (exclusive).")
    severity: str = Field(default="medium", description="low, medium, high or critical.")
    action: str = Field(default="escalate", description="escalate, or flag (report only).")


class Clock(BaseModel):
    rule: str = Field(description="e.g. reg_e_investigation, reg_z_acknowledge.")
    deadline: str | None = Field(
        description="ISO date (YYYY-MM-DD); null when a date the rule needs is missing."
    )
    citation: str = Field(description="Statute, regulation or rule book the figure comes from.")
    note: str = ""
    chunk_id: str | None = Field(
        default=None, description="The kb chunk that says it (statute figures only)."
    )
    starts_from: str | None = Field(default=None, description="The date the clock counts from.")


class PiiSpan(BaseModel):
    type: str = Field(description="CARD, IBAN, SSN, ROUTING, ACCOUNT, EMAIL, PHONE or ADDRESS.")
    start: int = Field(description="Start offset in the ticket text (after input repairs).")
    end: int = Field(description="End offset (exclusive).")
    placeholder: str = Field(description="What replaced it in `redacted_text`, e.g. [CARD_1].")


class Injection(BaseModel):
    detected: bool = Field(
        default=False,
        description="True when either detector passes its own threshold: the lexical one "
        "(patterns + TF-IDF model, sentence by sentence) or the head on the intent "
        "encoder's embedding of the whole ticket.",
    )
    score: float = Field(
        default=0.0,
        description="0-1: the lexical detector's score, or the embedding head's when only "
        "that head fired.",
    )
    evidence: str = Field(default="", description="The passage that looks like an instruction.")
    start: int | None = None
    end: int | None = None
    source: str = Field(
        default="",
        description="Which detector fired: a pattern name, 'model' (lexical), 'embedding' "
        "or 'hidden_text'.",
    )
    embedding_score: float | None = Field(
        default=None, description="The embedding head's probability (null without the head)."
    )


class Alternative(BaseModel):
    intent: str
    confidence: float


class TriageResult(BaseModel):
    intent: str = Field(description="Most likely issue type (one of the trained intents).")
    intent_confidence: float = Field(
        description="Calibrated probability that `intent` is right (0-1)."
    )
    intent_alternatives: list[Alternative] = Field(
        default_factory=list, description="The next most likely intents."
    )
    escalate: bool = Field(description="Whether a specialist should take the ticket.")
    escalation_score: float = Field(
        default=0.0, description="0-1 ranking of how urgently a specialist should look."
    )
    severity: str | None = Field(
        default=None, description="Severity of the most serious escalating reason."
    )
    reasons: list[Reason] = Field(default_factory=list)
    summary: str = Field(description="One line an agent can read in two seconds.")
    language: str = Field(default="en", description="Detected language (ISO 639-1).")
    received_at: str | None = Field(default=None, description="The date the clocks count from.")
    clocks: list[Clock] = Field(default_factory=list)
    pii: list[PiiSpan] = Field(default_factory=list)
    redacted_text: str
    injection: Injection = Field(default_factory=Injection)
    warnings: list[str] = Field(
        default_factory=list, description="Repairs made to the input, e.g. truncation."
    )
    model_version: str = Field(description="Created-at stamp of the intent model used.")
    policy_version: str = Field(default="", description="Version of the escalation policy used.")


class BatchError(BaseModel):
    code: str
    message: str
    hint: str = ""

"""The draft JSON contract (docs/DESIGN.md): the triage fields plus the reply, the plan,
the citations, the grounding verdict and where the reply came from."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.triage.schema import TriageResult

Owner = Literal[
    "specialist", "fraud_operations", "disputes_team", "compliance",
    "vulnerable_customer_team", "legal",
]  # fmt: skip


class PlanStep(BaseModel):
    id: str = Field(description="Step id within its playbook, e.g. provisional_credit.")
    playbook: str = Field(description="The playbook (or overlay) the step comes from.")
    action: str = Field(description="What to do, for the specialist.")
    owner: Owner = Field(description="The role that does it.")
    due: str | None = Field(description="ISO date; null when the date it counts from is unknown.")
    due_basis: str = Field(description="How `due` was computed (a clock, or business days).")
    citation: str = Field(description="The chunk id (or the clock's citation) behind the step.")
    customer_facing: bool = Field(description="Whether the reply tells the customer about it.")
    proposed: bool = Field(
        default=False,
        description="A refund, credit, unfreeze or closure: only ever proposed; a specialist "
        "approves it.",
    )


class PlanChoice(BaseModel):
    driver: Literal["reason", "clock", "intent", "unclear"] = Field(
        description="What chose the playbook: an escalation reason with evidence in the text, "
        "a regulatory clock, a confident intent, or nothing clear enough."
    )
    code: str | None = Field(default=None, description="The reason code, clock rule or intent.")
    evidence: str = Field(default="", description="The text or figure behind the choice.")


class Plan(BaseModel):
    playbook: str
    title: str
    chosen_by: PlanChoice
    overlays: list[str] = Field(default_factory=list)
    steps: list[PlanStep] = Field(default_factory=list)
    confirm_issue: bool = Field(
        default=False,
        description="True when the issue type is unclear: the specialist confirms it and the "
        "reply asks the customer the question that settles it.",
    )
    skipped: list[str] = Field(
        default_factory=list, description="Playbook steps left out, and why."
    )


class Citation(BaseModel):
    marker: int = Field(description="The [n] marker in the reply.")
    chunk_id: str
    source: str
    section: str
    title: str = ""
    quote: str = Field(description="The passage's sentence that supports the reply (redacted).")


class Finding(BaseModel):
    text: str = Field(description="The claim as the reply states it.")
    start: int = Field(description="Offset of the claim in the reply.")
    end: int
    kind: str = Field(
        description="amount, number, date, weekday, relative_date, deadline, duration, figure, "
        "phone, url, email, digits, placeholder, regulation, policy, or forbidden:<rule>."
    )
    why: str = Field(description="Why it is not supported, for the specialist.")


class Grounding(BaseModel):
    verdict: Literal["pass", "fail"]
    claims: int = Field(description="Checkable claims found in the reply.")
    unsupported: list[Finding] = Field(default_factory=list)


class MissingInfo(BaseModel):
    kind: str = Field(description="transaction_date, amount, merchant, card_last_four, ...")
    question: str = Field(description="How the reply asks for it.")


class LlmCall(BaseModel):
    model: str
    attempts: int
    finish_reason: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    latency_ms: float = 0.0


class DraftResult(TriageResult):
    reply: str = Field(description="The reply for the specialist to approve, edit or reject.")
    plan: Plan
    citations: list[Citation] = Field(default_factory=list)
    grounding: Grounding
    writer: Literal["composer", "llm", "person"] = Field(
        description="Who wrote `reply`: the deterministic composer, the LLM, or a person "
        "(a reply checked with --reply-file)."
    )
    writer_note: str = Field(
        default="", description="Why the LLM's reply was not used, when it was not."
    )
    prompt_version: str
    playbook_version: str
    missing_information: list[MissingInfo] = Field(default_factory=list)
    llm: LlmCall | None = None

"""Resolution playbooks: data a team edits (``playbooks.yaml``), validated strictly.

A playbook is the ordered steps for one kind of problem (an issue playbook) or for one
circumstance that can come with any problem (an overlay: a regulator complaint, a legal
threat, a vulnerable customer, a detected prompt injection). Each step has an owner
role, a due date computed from the ticket's clocks or from business days after the
received day (never free text), a citation (a chunk id of the index, or a clock), and
whether the customer hears about it.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.datafiles import read_text, validate_yaml
from assistant.drafting.schema import Owner
from assistant.errors import PlaybookError

PLAYBOOK_FILE = "playbooks.yaml"
RETRIEVED = "retrieved"
# Facts about a case that the clocks imply: the Reg E extended period is 90 days (a
# point-of-sale, foreign or new-account transfer); the account is new (20 business days).
TAGS = ("extended_90", "new_account")  # a basis that quotes the passage retrieval ranks first
ASK_KINDS = (
    "transaction_date", "amount", "merchant", "card_last_four", "police_report",
    "recipient_details", "identity_document",
)  # fmt: skip
CLOCK_RULES = (
    "reg_e_notice_window", "reg_e_investigation", "reg_e_provisional_credit",
    "reg_e_investigation_extended", "reg_e_report_results", "reg_z_notice_window",
    "reg_z_acknowledge", "reg_z_resolve", "card_chargeback_window", "cfpb_company_response",
    "cfpb_final_response", "remittance_notice_window", "remittance_investigation",
    "remittance_report_results",
)  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Due(_Strict):
    """``clock`` alone: the clock's deadline; ``clock`` + ``business_days``: that many
    business days after it; ``business_days`` or ``calendar_days`` alone: after the day
    the ticket was received."""

    clock: str | None = None
    business_days: int | None = Field(default=None, ge=0, le=365)
    calendar_days: int | None = Field(default=None, ge=0, le=730)

    @model_validator(mode="after")
    def _one_basis(self) -> "Due":
        if self.clock is None and self.business_days is None and self.calendar_days is None:
            raise ValueError("`due` needs clock, business_days or calendar_days")
        if self.business_days is not None and self.calendar_days is not None:
            raise ValueError("give business_days or calendar_days, not both")
        if self.clock is not None and self.clock not in CLOCK_RULES:
            raise ValueError(f"{self.clock!r} is not a clock rule ({', '.join(CLOCK_RULES)})")
        return self


class Step(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    action: str = Field(min_length=5)
    owner: Owner
    due: Due
    citation: str = Field(
        min_length=3,
        description="A chunk id of the index, or `clock` for the due clock's own citation.",
    )
    customer_facing: bool = False
    proposed: bool = False
    say: str | None = Field(default=None, description="Composer fragment that tells the customer.")

    @model_validator(mode="after")
    def _say_when_customer_facing(self) -> "Step":
        if self.customer_facing and not self.say:
            raise ValueError(f"step {self.id}: a customer-facing step needs `say` (a fragment)")
        if self.citation == "clock" and self.due.clock is None:
            raise ValueError(f"step {self.id}: `citation: clock` needs `due.clock`")
        return self


class Basis(_Strict):
    """A sentence of policy basis: the composer fragment and the chunk it paraphrases."""

    say: str
    cite: str = Field(min_length=3)
    when_clock: str | None = Field(default=None, description="Only when this clock applies.")
    when_tag: list[str] = Field(
        default_factory=list, description="Only when all these case tags hold (see TAGS)."
    )
    unless_tag: list[str] = Field(
        default_factory=list, description="Not when any of these case tags holds."
    )

    @model_validator(mode="after")
    def _known_tags(self) -> "Basis":
        bad = [t for t in self.when_tag + self.unless_tag if t not in TAGS]
        if bad:
            raise ValueError(f"unknown case tags {', '.join(bad)} (use {', '.join(TAGS)})")
        return self


class Match(_Strict):
    reasons: list[str] = Field(default_factory=list)
    clocks: list[str] = Field(default_factory=list)
    intents: list[str] = Field(default_factory=list)


class Playbook(_Strict):
    title: str = Field(min_length=3)
    kind: Literal["issue", "overlay"] = "issue"
    priority: int = Field(default=50, ge=0, le=1000)
    match: Match = Field(default_factory=Match)
    asks: list[str] = Field(default_factory=list)
    basis: list[Basis] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _known(self) -> "Playbook":
        bad = [a for a in self.asks if a not in ASK_KINDS]
        if bad:
            raise ValueError(f"unknown `asks` {', '.join(bad)} (use {', '.join(ASK_KINDS)})")
        bad = [c for c in self.match.clocks if c not in CLOCK_RULES]
        if bad:
            raise ValueError(f"unknown clock {', '.join(bad)} in `match.clocks`")
        ids = [s.id for s in self.steps]
        if len(ids) != len(set(ids)):
            raise ValueError("step ids repeat within the playbook")
        return self


class PlaybookSet(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    intent_confidence: float = Field(
        default=0.5, gt=0.0, lt=1.0,
        description="An intent chooses a playbook only at or above this confidence.",
    )
    fallback: str = Field(
        default="confirm_issue",
        description="The playbook when neither a reason, a clock nor a confident intent says "
        "what the ticket is about.",
    )
    playbooks: dict[str, Playbook]
    source: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _fallback_exists(self) -> "PlaybookSet":
        if self.fallback not in self.playbooks:
            raise ValueError(f"the fallback playbook {self.fallback!r} is not defined")
        return self

    def issues(self) -> list[tuple[str, Playbook]]:
        found = [(n, p) for n, p in self.playbooks.items() if p.kind == "issue"]
        return sorted(found, key=lambda item: (item[1].priority, item[0]))

    def overlays(self) -> list[tuple[str, Playbook]]:
        found = [(n, p) for n, p in self.playbooks.items() if p.kind == "overlay"]
        return sorted(found, key=lambda item: (item[1].priority, item[0]))

    def chunk_ids(self) -> set[str]:
        """Every chunk id a playbook cites (a test checks each exists in the index)."""
        ids = set()
        for playbook in self.playbooks.values():
            ids.update(s.citation for s in playbook.steps if s.citation != "clock")
            ids.update(b.cite for b in playbook.basis if b.cite != RETRIEVED)
        return ids

    def fragments(self) -> set[str]:
        names = set()
        for playbook in self.playbooks.values():
            names.update(s.say for s in playbook.steps if s.say)
            names.update(b.say for b in playbook.basis)
        return names


def default_playbooks_path() -> Path:
    return Path(str(resources.files("assistant.drafting") / PLAYBOOK_FILE))


@lru_cache(maxsize=8)
def load_playbooks(path: Path | None = None) -> PlaybookSet:
    path = path or default_playbooks_path()
    text = read_text(
        path, "playbooks file", PlaybookError,
        "set ASSISTANT_PLAYBOOKS_FILE to an existing YAML file, or unset it for the built-in "
        "playbooks",
    )
    return parse_playbooks(text, str(path))


def parse_playbooks(text: str, source: str = "<playbooks>") -> PlaybookSet:
    playbooks = validate_yaml(
        text, PlaybookSet, source, PlaybookError,
        "fix the named line; each step has id, action, owner, due (clock / business_days / "
        "calendar_days), citation and optionally customer_facing, proposed, say "
        "(see assistant/drafting/playbooks.yaml)",
    )
    return playbooks.model_copy(update={"source": source})

"""The escalation policy: a YAML file a team edits without touching code.

Loaded strictly (unknown keys, unknown signals and bad values are errors) and every
error names the file and line, so a typo cannot silently switch a rule off.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.datafiles import read_text, validate_yaml
from assistant.errors import PolicyError

SIGNALS = (
    "unauthorized_transaction",
    "scam",
    "regulator_threat",
    "cfpb_complaint_filed",
    "legal_threat",
    "media_inquiry",
    "vulnerable_customer",
    "repeat_contact",
    "missed_deadline",
    "money_loss_cue",
    "account_restricted",
    "disputed_charge",
    "unfair_practice",
    "formal_complaint",
    "debited_for_failed_payment",
    "purchase_not_delivered",
    "payment_reversed",
    "activity_recognised",
    "amount_not_at_stake",
)
Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
DEFAULT_POLICY = "default_policy.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Strict):
    intents: list[str] | None = None
    signals: list[str] | None = None
    signals_absent: list[str] | None = None
    min_amount: bool | float | None = None
    confidence_below: float | None = Field(default=None, gt=0.0, lt=1.0)
    confidence_at_least: float | None = Field(default=None, gt=0.0, lt=1.0)
    languages_not: list[str] | None = None

    @field_validator("signals", "signals_absent")
    @classmethod
    def _known_signals(cls, value: list[str] | None) -> list[str] | None:
        for name in value or []:
            if name not in SIGNALS:
                raise ValueError(f"{name!r} is not a signal the detector knows ({', '.join(SIGNALS)})")
        return value

    @field_validator("languages_not")
    @classmethod
    def _iso_codes(cls, value: list[str] | None) -> list[str] | None:
        for code in value or []:
            if len(code) != 2 or not code.isalpha() or not code.islower():
                raise ValueError(f"{code!r} is not an ISO 639-1 language code (e.g. en, de, es)")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> "When":
        if all(v is None or v is False for v in self.model_dump().values()):
            raise ValueError("a rule needs at least one condition under `when`")
        return self


class Rule(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    severity: Severity
    action: Literal["escalate", "flag"] = "escalate"
    when: When


class Thresholds(_Strict):
    large_amount: dict[str, float] = Field(default_factory=lambda: {"default": 1000.0})

    @field_validator("large_amount")
    @classmethod
    def _has_default(cls, value: dict[str, float]) -> dict[str, float]:
        if "default" not in value:
            raise ValueError("large_amount needs a `default` entry for unlisted currencies")
        for currency, amount in value.items():
            if amount <= 0:
                raise ValueError(f"the {currency} threshold must be positive, not {amount}")
        return {k.upper() if k != "default" else k: v for k, v in value.items()}

    def large(self, currency: str) -> float:
        return self.large_amount.get(currency.upper(), self.large_amount["default"])


class Policy(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    rules: list[Rule] = Field(min_length=1)
    source: str = Field(default="", exclude=True)


def default_policy_path() -> Path:
    return Path(str(resources.files("assistant.escalation") / DEFAULT_POLICY))


@lru_cache(maxsize=8)
def load_policy(path: Path | None = None) -> Policy:
    path = path or default_policy_path()
    text = read_text(
        path,
        "escalation policy",
        PolicyError,
        "set ASSISTANT_POLICY_FILE to an existing YAML file, or unset it to use the "
        "built-in policy",
    )
    return parse_policy(text, str(path))


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    policy = validate_yaml(
        text,
        Policy,
        source,
        PolicyError,
        "fix the named line; conditions are intents, signals, min_amount, "
        "confidence_below and languages_not (see the comments in the default policy); "
        "the policy is a mapping with `version` and `rules` (start from "
        "assistant/escalation/default_policy.yaml)",
    )
    return policy.model_copy(update={"source": source})

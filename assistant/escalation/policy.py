"""The escalation policy: a YAML file a team edits without touching code.

Loaded strictly (unknown keys, unknown signals and bad values are errors) and every
error names the file and line, so a typo cannot silently switch a rule off.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

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
)
Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
DEFAULT_POLICY = "default_policy.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class When(_Strict):
    intents: list[str] | None = None
    signals: list[str] | None = None
    min_amount: bool | float | None = None
    confidence_below: float | None = Field(default=None, gt=0.0, lt=1.0)
    languages_not: list[str] | None = None

    @field_validator("signals")
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


class ClockPolicy(_Strict):
    eft_error_intents: list[str] = Field(default_factory=list)
    card_dispute_intents: list[str] = Field(default_factory=list)
    point_of_sale_intents: list[str] = Field(default_factory=list)


class Policy(_Strict):
    version: str = Field(min_length=1)
    description: str = ""
    thresholds: Thresholds = Field(default_factory=Thresholds)
    rules: list[Rule] = Field(min_length=1)
    clocks: ClockPolicy = Field(default_factory=ClockPolicy)
    source: str = Field(default="", exclude=True)


def default_policy_path() -> Path:
    return Path(str(resources.files("assistant.escalation") / DEFAULT_POLICY))


@lru_cache(maxsize=8)
def load_policy(path: Path | None = None) -> Policy:
    path = path or default_policy_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(
            f"escalation policy {path} does not exist",
            "set ASSISTANT_POLICY_FILE to an existing YAML file, or unset it to use the "
            "built-in policy",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read escalation policy {path}: {exc}", "save it as UTF-8 YAML") from None
    return parse_policy(text, str(path))


def parse_policy(text: str, source: str = "<policy>") -> Policy:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise PolicyError(
            f"{source} {where}: not valid YAML ({getattr(exc, 'problem', exc)})",
            "fix the YAML syntax (indentation, a missing colon or quote)",
        ) from None
    if not isinstance(data, dict):
        raise PolicyError(
            f"{source}: the policy must be a mapping with `version` and `rules`",
            "start from assistant/escalation/default_policy.yaml",
        )
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        lines = _line_index(node)
        problems = []
        for err in exc.errors()[:5]:
            loc = tuple(err["loc"])
            line = _nearest_line(lines, loc)
            path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc)
            path = path.replace(".[", "[")
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{source} line {line}: {path or '(top)'}: {message}")
        raise PolicyError(
            "; ".join(problems),
            "fix the named line; conditions are intents, signals, min_amount, "
            "confidence_below and languages_not (see the comments in the default policy)",
        ) from None
    return policy.model_copy(update={"source": source})


def _line_index(node: Any, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int]:
    """1-based line of every key and item in the YAML node tree, by pydantic-style path."""
    lines: dict[tuple[Any, ...], int] = {}
    if node is None:
        return lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (key.value,)
            lines.update(_line_index(value, sub))
            lines[sub] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, path + (i,)))
    return lines


def _nearest_line(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in lines:
            return lines[loc[:cut]]
    return 1

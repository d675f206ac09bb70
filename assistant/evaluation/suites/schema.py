"""The suite file format (`evals/suites/README.md`), validated strictly: a mistake names the
file, the case and the field, with the line."""

from __future__ import annotations

import re
import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.datafiles import parse_yaml, read_text
from assistant.errors import SuiteError

GATE_METRICS = ("pass_rate", "escalation_recall", "escalation_precision", "grade_agreement")
HINT = "see evals/suites/README.md for the suite format"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Pattern(_Strict):
    """A case-insensitive regular expression (a plain string is a literal)."""

    regex: str

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from None
        return value


Needle = str | Pattern


class ClockExpectation(_Strict):
    rule: str = Field(min_length=1)
    date: dt.date | None = None  # None: the clock must be there, any date


class Expect(_Strict):
    intent: str | list[str] | None = None
    escalate: bool | None = None
    reasons_include: list[str] = Field(default_factory=list)
    reasons_exclude: list[str] = Field(default_factory=list)
    clocks_include: list[ClockExpectation] = Field(default_factory=list)
    citations_include: list[str] = Field(default_factory=list)
    reply_must_include: list[Needle] = Field(default_factory=list)
    reply_must_not_include: list[Needle] = Field(default_factory=list)
    plan_includes: list[str] = Field(default_factory=list)
    grounding: Literal["pass", "fail"] | None = None
    reference_reply: str | None = None

    @field_validator("grounding", mode="before")
    @classmethod
    def _bool_grounding(cls, value: object) -> object:
        if value is True:
            return "pass"
        if value is False:
            return "fail"
        return value

    def intents(self) -> list[str]:
        if self.intent is None:
            return []
        return [self.intent] if isinstance(self.intent, str) else list(self.intent)


class Case(_Strict):
    id: str = Field(min_length=1, max_length=80)
    ticket: str = Field(min_length=1)
    received_at: dt.date | None = None
    tags: list[str] = Field(default_factory=list)
    flaky: bool = False
    note: str = ""
    expect: Expect = Field(default_factory=Expect)
    reply: str | None = Field(default=None, description="A trainee's reply to grade.")
    grade: Literal["pass", "fail"] | None = Field(
        default=None, description="The trainer's own verdict on `reply`.")
    grade_notes: str = ""
    to_confirm: list[str] = Field(
        default_factory=list,
        description="Expectations pre-filled from a run of the assistant that a trainer has "
        "not confirmed yet (`assistant eval init`).")

    @field_validator("grade", mode="before")
    @classmethod
    def _bool_grade(cls, value: object) -> object:
        return {True: "pass", False: "fail"}.get(value, value)  # type: ignore[call-overload]

    @model_validator(mode="after")
    def _grade_needs_reply(self) -> "Case":
        if self.grade is not None and self.reply is None:
            raise ValueError("`grade` grades a trainee's `reply`, and this case has none")
        return self


class Defaults(_Strict):
    received_at: dt.date | None = None
    writer: Literal["composer", "llm"] = "composer"


class Gate(_Strict):
    metric: str
    minimum: float = Field(default=0.0, ge=0.0, le=1.0)
    max_drop: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("metric")
    @classmethod
    def _known(cls, value: str) -> str:
        if value in GATE_METRICS or re.fullmatch(r"(check|tag):[\w.-]+", value):
            return value
        raise ValueError(f"unknown metric {value!r}: use one of {', '.join(GATE_METRICS)}, "
                         "check:<check name> or tag:<tag>")


class Suite(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    description: str = ""
    owner: str = ""
    provenance: str = ""
    defaults: Defaults = Field(default_factory=Defaults)
    gates: list[Gate] = Field(default_factory=list)
    cases: list[Case] = Field(min_length=1)
    path: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Suite":
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                raise ValueError(f"case id {case.id!r} is used twice")
            seen.add(case.id)
        return self


def load_suite(path: Path) -> Suite:
    text = read_text(Path(path), "suite", SuiteError, HINT)
    return parse_suite(text, str(path))


def parse_suite(text: str, source: str = "<suite>") -> Suite:
    from pydantic import ValidationError

    from assistant.datafiles import line_index, nearest_line

    data, node = parse_yaml(text, source, SuiteError)
    if not isinstance(data, dict):
        raise SuiteError(f"{source}: expected a mapping (name, cases, ...) at the top", HINT)
    try:
        suite = Suite.model_validate(data)
    except ValidationError as exc:
        lines = line_index(node)
        cases = data.get("cases") if isinstance(data.get("cases"), list) else []
        problems = []
        for err in exc.errors()[:5]:
            loc = tuple(err["loc"])
            where = ".".join(f"[{p}]" if isinstance(p, int) else str(p) for p in loc)
            where = where.replace(".[", "[")
            if len(loc) >= 2 and loc[0] == "cases" and isinstance(loc[1], int):
                case = cases[loc[1]] if loc[1] < len(cases) else None
                if isinstance(case, dict) and case.get("id"):
                    where = f"case {case['id']!r}: " + ".".join(str(p) for p in loc[2:])
            message = err["msg"].removeprefix("Value error, ")
            problems.append(f"{source} line {nearest_line(lines, loc)}: {where or '(top)'}: "
                            f"{message}")
        raise SuiteError("; ".join(problems), HINT) from None
    suite.path = source
    return suite

"""The regulatory figures (time limits, amount limits, liability caps), declared once in
``figures.yaml``, and the reader that finds statements of them in prose.

The clocks take their day counts from here; ``assistant kb check`` and the drafting
grounding check use :func:`check_figures` to report a sentence that states a different
figure for the same rule ("we investigate within 30 days").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterator, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from assistant.datafiles import read_text, validate_yaml
from assistant.errors import ConfigError

Unit = Literal["business_days", "days", "billing_cycles", "minutes", "hours", "usd", "miles"]
FIGURES_FILE = "figures.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(_Strict):
    value: float
    unit: Unit
    citation: str = Field(min_length=1)


class Topic(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    anchor: str
    regime: str | None = None  # words the sentence or its section must also contain
    figures: list[str] = Field(min_length=1)

    @field_validator("anchor", "regime")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"anchor is not a regular expression: {exc}") from None
        return value


class Registry(_Strict):
    version: str = Field(min_length=1)
    figures: dict[str, Figure]
    topics: list[Topic]

    @model_validator(mode="after")
    def _known_figures(self) -> "Registry":
        for topic in self.topics:
            unknown = [f for f in topic.figures if f not in self.figures]
            if unknown:
                raise ValueError(f"topic {topic.id} names unknown figures {', '.join(unknown)}")
        return self

    def value(self, name: str) -> int:
        """A figure's value as an int (day counts); KeyError names a missing figure."""
        return int(self.figures[name].value)

    def allowed(self, topics: list[Topic]) -> set[tuple[float, str]]:
        return {
            (self.figures[f].value, self.figures[f].unit) for t in topics for f in t.figures
        }


def figures_path() -> Path:
    return Path(str(resources.files("assistant.clocks") / FIGURES_FILE))


@lru_cache(maxsize=4)
def load_figures(path: Path | None = None) -> Registry:
    path = path or figures_path()
    text = read_text(path, "figures registry", ConfigError, "restore it from git")
    return validate_yaml(
        text, Registry, str(path), ConfigError,
        "each figure has value, unit and citation; each topic an id, an anchor and figures",
    )


# --- quantities in prose ---------------------------------------------------------------

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50,
    "sixty": 60, "ninety": 90, "hundred": 100, "one hundred": 100, "one hundred twenty": 120,
    "one hundred and twenty": 120, "one hundred eighty": 180, "one hundred and eighty": 180,
    "a": 1, "an": 1,
}  # fmt: skip
_WORDS = "|".join(sorted((re.escape(w) for w in NUMBER_WORDS if len(w) > 2), key=len, reverse=True))
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})*|{_WORDS})"
_QUANTITY = re.compile(
    rf"(?i)\b(?P<num>{_NUM})(?:\s*\(\d{{1,3}}\))?[\s-]+(?:(?P<kind>business|banking|working"
    rf"|calendar|complete|full)[\s-]+)?(?P<unit>days?|billing\s+cycles?|cycles?|minutes?"
    rf"|hours?|miles?)\b"
)
_MONEY = re.compile(r"\$\s?(?P<num>\d{1,3}(?:,\d{3})*(?:\.\d{2})?)(?![\d,])")
_CAP_WORDS = re.compile(
    r"(?i)(?:up to|at most|no more than|not more than|more than|limited to|capped at|"
    r"maximum of|liable for|liability (?:is|of|to|for|at)|lose|capped|exceed)\s*$"
)


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    end: int
    value: float
    unit: Unit


def number_value(word: str) -> float | None:
    word = word.lower().replace(",", "")
    if word.isdigit():
        return float(word)
    return float(NUMBER_WORDS[word]) if word in NUMBER_WORDS else None


def quantities(text: str, money: bool = True) -> Iterator[Quantity]:
    """Durations ("10 business days", "ten business days", "two complete billing
    cycles", "60 days") and, with ``money``, dollar limits written as limits ("up to
    $50", "liable for $500")."""
    for m in _QUANTITY.finditer(text):
        value = number_value(m.group("num"))
        if value is None:
            continue
        unit_word = m.group("unit").lower()
        kind = (m.group("kind") or "").lower()
        if unit_word.startswith("day"):
            unit: Unit = "business_days" if kind in ("business", "banking", "working") else "days"
        elif "cycle" in unit_word:
            unit = "billing_cycles"
        elif unit_word.startswith("minute"):
            unit = "minutes"
        elif unit_word.startswith("hour"):
            unit = "hours"
        else:
            unit = "miles"
        yield Quantity(m.group(0), m.start(), m.end(), value, unit)
    if money:
        for m in _MONEY.finditer(text):
            if _CAP_WORDS.search(text[max(0, m.start() - 30) : m.start()]):
                yield Quantity(m.group(0), m.start(), m.end(),
                               float(m.group("num").replace(",", "")), "usd")


# --- statements of a figure ---------------------------------------------------------------

_SENTENCE_END = re.compile(
    r"(?<![A-Z]\.[A-Z])(?<!e\.g)(?<!i\.e)(?<!etc)(?<!Inc)(?<!\bNo)(?<!U\.S)(?<!\bvs)"
    r"[.!?]+(?=\s+[A-Z(\"'\[]|\s*$)|\n\s*\n"
)
_CLAUSE_CUT = re.compile(r";|\||\n(?=\s*[-*|])|,\s+(?:but|and|or|while|whereas)\s+|\s+but\s+")
# A duration is a time limit when the words around it say so ("within 10 business days",
# "the 60-day window", "has 30 days to"), not in a story ("posted two days later").
_LIMIT_BEFORE = re.compile(
    r"(?i)(?:within|up to|no later than|not later than|at most|at least|in|takes?|has|have|"
    r"gets?|allows?|extends?(?: it)? to|for|than|of|the|a|than|about|another|only|next)\s+$"
)
_LIMIT_AFTER = re.compile(
    r"(?i)^[\s-]*(?:after|of|from|before|period|window|deadline|limit|notice|to\s|\()"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentences(text: str) -> list[Span]:
    """Sentence spans (a sentence-ending mark before a capital, or a blank line)."""
    spans, cursor = [], 0
    for m in _SENTENCE_END.finditer(text):
        if text[cursor : m.end()].strip():
            spans.append(Span(cursor, m.end()))
        cursor = m.end()
    if text[cursor:].strip():
        spans.append(Span(cursor, len(text)))
    return [_trim(text, s) for s in spans]


def _trim(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def clauses(text: str, span: Span) -> list[Span]:
    out, cursor = [], span.start
    for m in _CLAUSE_CUT.finditer(text, span.start, span.end):
        out.append(Span(cursor, m.start()))
        cursor = m.end()
    out.append(Span(cursor, span.end))
    return [c for c in out if c.end > c.start]


@dataclass(frozen=True)
class FigureIssue:
    text: str  # the quantity as written
    start: int
    end: int
    clause: str
    topics: tuple[str, ...]
    expected: tuple[str, ...]  # the figures those topics allow, written out

    @property
    def why(self) -> str:
        return (
            f"'{self.text}' is not a figure the rules give for "
            f"{' / '.join(t.replace('_', ' ') for t in self.topics)} "
            f"(they give {', '.join(self.expected)})"
        )


def describe_figure(value: float, unit: str) -> str:
    shown = f"{value:g}"
    return {
        "usd": f"${shown}",
        "business_days": f"{shown} business days",
        "days": f"{shown} days",
        "billing_cycles": f"{shown} billing cycles",
    }.get(unit, f"{shown} {unit}")


def is_time_limit(text: str, q: Quantity) -> bool:
    if q.unit == "usd":
        return True  # quantities() only yields amounts written as limits
    before = text[max(0, q.start - 25) : q.start]
    return bool(_LIMIT_BEFORE.search(before) or _LIMIT_AFTER.match(text[q.end : q.end + 20]))


_COMPILED: dict[int, list[tuple[Topic, re.Pattern[str], re.Pattern[str] | None]]] = {}


def _compiled(registry: Registry) -> list[tuple[Topic, re.Pattern[str], re.Pattern[str] | None]]:
    if id(registry) in _COMPILED:
        return _COMPILED[id(registry)]
    _COMPILED[id(registry)] = [
        (t, re.compile(t.anchor, re.IGNORECASE),
         re.compile(t.regime, re.IGNORECASE) if t.regime else None)
        for t in registry.topics
    ]
    return _COMPILED[id(registry)]


def check_figures(
    text: str, registry: Registry | None = None, context: str = ""
) -> list[FigureIssue]:
    """Time limits and caps stated for a rule whose figure differs from every figure the
    registry declares for it. A quantity belongs to a topic when the topic's anchor is in
    its clause within ``NEAR`` characters, or in ``context`` (the section's headings) when
    the clause speaks of a time limit without naming it (so "we may take up to 45 days"
    under "7.2 Our investigation" is an investigation figure); regime words may be
    anywhere in the sentence or the context."""
    registry = registry or load_figures()
    compiled = _compiled(registry)
    issues: list[FigureIssue] = []
    for sentence in sentences(text):
        whole = text[sentence.start : sentence.end]
        for clause in clauses(text, sentence):
            piece = text[clause.start : clause.end]
            for q in quantities(piece):
                if not is_time_limit(piece, q):
                    continue
                implicit = bool(_IMPLICIT.search(piece))
                topics = [
                    t for t, anchor, regime in compiled
                    if _near(anchor, piece, q) or (implicit and anchor.search(context))
                    if regime is None or regime.search(whole) or regime.search(context)
                ]
                if not topics or _agrees(q, piece, registry.allowed(topics)):
                    continue
                allowed = registry.allowed(topics)
                expected = tuple(sorted({describe_figure(v, u) for v, u in allowed}))
                issues.append(
                    FigureIssue(q.text, clause.start + q.start, clause.start + q.end,
                                " ".join(piece.split()), tuple(t.id for t in topics), expected)
                )
    return issues


NEAR = 90  # characters between a topic's anchor and the quantity it governs
# A clause that speaks of the section's own time limit without naming it ("if we need
# more time, we may take up to 45 days" under "7.2 Our investigation").
_IMPLICIT = re.compile(
    r"(?i)\b(?:more\s+time|takes?\s+up\s+to|extend\w*|extension|deadline|time\s+limit|period)\b"
)


def _near(anchor: re.Pattern[str], piece: str, q: Quantity) -> bool:
    return any(
        m.start() - NEAR <= q.start and q.end <= m.end() + NEAR for m in anchor.finditer(piece)
    )


def _agrees(q: Quantity, piece: str, allowed: set[tuple[float, str]]) -> bool:
    if (q.value, q.unit) in allowed:
        return True
    # "the ten-day period": a hyphenated day count names no kind of day.
    hyphenated = q.unit == "days" and "-" in q.text and "calendar" not in q.text.lower()
    return hyphenated and (q.value, "business_days") in allowed

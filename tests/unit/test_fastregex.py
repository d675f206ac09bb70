"""A first-character guard never changes what a pattern matches: checked on hand-made
edge cases and on every pattern of the triage path over the realistic tickets."""

from __future__ import annotations

import json
import re

import pytest

import assistant.clocks.dates as dates
import assistant.clocks.facts as facts
import assistant.guards.injection as injection
import assistant.guards.pii as pii
from assistant.config import PROJECT_ROOT
from assistant.escalation.signals import load_specs
from assistant.fastregex import guarded


@pytest.mark.parametrize("source, guard", [
    (r"\b(?:mexico|canada)\b", "(?=[cm])"),  # IGNORECASE: the guard is too
    (r"(?<![\w.-])\d{3}-\d{2}", None),          # a category (\d): no cheap guard
    (r"(?:a|)x", None),                          # a branch that can be empty
    (r"\bI\s+(?:was|am)\b", "(?=[I])"),
    (r"x?y", None),                              # an optional first item
    (r"(?i)abc", None),                          # global flags must stay first
    (r"\b", None),                               # matches nothing, everywhere
    (r"[₱₹€]\s?\d", "(?=[€₱₹])"),
])
def test_the_guard_is_the_set_of_first_characters(source: str, guard: str | None) -> None:
    compiled = re.compile(source, re.IGNORECASE)
    out = guarded(compiled)
    if guard is None:
        assert out is compiled
    else:
        assert out.pattern == f"{guard}(?:{source})"
        assert out.groups == compiled.groups


_GUARD = re.compile(r"\(\?=\[(?:\\.|[^\]\\])*\]\)\(\?:")


def _triage_patterns() -> list[tuple[str, re.Pattern[str]]]:
    found = [(f"{m.__name__}.{k}", v) for m in (facts, dates, pii, injection)
             for k, v in vars(m).items() if isinstance(v, re.Pattern)]
    found += [(f"injection.{p.name}", p.regex) for p in injection.PATTERNS]
    for spec in load_specs():
        found += [(f"signal.{spec.code}", p) for p in spec.patterns + spec.veto]
        if spec.any_pattern is not None:
            found.append((f"signal.{spec.code}.any", spec.any_pattern))
    return found


def test_guarded_patterns_match_exactly_as_written() -> None:
    texts = []
    for path in sorted((PROJECT_ROOT / "evals" / "realistic").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()]
    texts += ["CANCÚN ATM", "São Paulo", "SENT 2,000 PESOS", "", "ß straße İstanbul"]
    patterns = _triage_patterns()
    assert sum("(?=[" in p.pattern[:5] for _, p in patterns) > 200  # the guard is in use
    for name, compiled in patterns:
        guard = _GUARD.match(compiled.pattern)
        if guard is None:
            continue
        plain = re.compile(compiled.pattern[guard.end():-1], compiled.flags)
        for text in texts:
            assert ([m.span() for m in compiled.finditer(text)]
                    == [m.span() for m in plain.finditer(text)]), (name, text[:80])

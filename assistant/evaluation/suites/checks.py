"""Every expectation of a case as a named check with its verdict and evidence, and the
coaching feedback a trainee reads when a check fails."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from assistant.drafting.schema import DraftResult
from assistant.evaluation.suites.schema import Case, Needle, Pattern


@dataclass
class Check:
    name: str            # e.g. escalate, reply_must_not_include
    passed: bool
    expected: Any
    actual: Any
    span: tuple[int, int] | None = None  # where in the reply (must_include / must_not)
    feedback: str = ""   # coaching wording, for failed checks
    kind: str = field(default="")  # escalate: missed_escalation / false_escalation

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _find(needle: Needle, text: str) -> tuple[int, int] | None:
    if isinstance(needle, Pattern):
        m = re.search(needle.regex, text, re.IGNORECASE)
    else:
        m = re.search(re.escape(needle.strip()), text, re.IGNORECASE)
    return (m.start(), m.end()) if m else None


def _label(needle: Needle) -> str:
    return f"/{needle.regex}/" if isinstance(needle, Pattern) else needle


def _plan_terms(draft: DraftResult) -> set[str]:
    terms = {draft.plan.playbook, *draft.plan.overlays}
    for step in draft.plan.steps:
        terms.update({step.id, step.owner, step.playbook})
    return {t.lower() for t in terms}


def _plan_has(draft: DraftResult, item: str) -> bool:
    item = item.lower().strip()
    if item in _plan_terms(draft):
        return True
    return any(item in step.action.lower() for step in draft.plan.steps)


def cited_ids(draft: DraftResult) -> list[str]:
    """The chunks the draft rests on: the reply's citations, then the plan's."""
    ids = [c.chunk_id for c in draft.citations]
    ids += [s.citation for s in draft.plan.steps if "#" in s.citation]
    return list(dict.fromkeys(ids))


def run_checks(case: Case, draft: DraftResult) -> list[Check]:
    e = case.expect
    checks: list[Check] = []
    reply = draft.reply
    trainee = case.reply is not None
    if e.intent is not None:
        ok = draft.intent in e.intents()
        checks.append(Check("intent", ok, e.intents(), draft.intent,
                            feedback="" if ok else f"the issue type reads as {draft.intent}, "
                            f"not {' or '.join(e.intents())}"))
    if e.escalate is not None:
        ok = draft.escalate == e.escalate
        kind = "" if ok else ("missed_escalation" if e.escalate else "false_escalation")
        checks.append(Check("escalate", ok, e.escalate, draft.escalate, kind=kind,
                            feedback="" if ok else ("the ticket needed a specialist and was "
                            "not escalated" if e.escalate else "the ticket was escalated "
                            "without a reason the guideline accepts")))
    codes = {r.code for r in draft.reasons}
    for code in e.reasons_include:
        checks.append(Check("reasons_include", code in codes, code, sorted(codes),
                            feedback="" if code in codes else f"the reason {code} was not found"))
    for code in e.reasons_exclude:
        checks.append(Check("reasons_exclude", code not in codes, f"not {code}", sorted(codes),
                            feedback="" if code not in codes else f"{code} fired and should not"))
    clocks = {c.rule: c.deadline for c in draft.clocks}
    for want in e.clocks_include:
        got = clocks.get(want.rule, "missing")
        ok = want.rule in clocks and (want.date is None or got == want.date.isoformat())
        checks.append(Check("clocks_include", ok,
                            f"{want.rule} {want.date.isoformat() if want.date else '(any date)'}",
                            f"{want.rule} {got}",
                            feedback="" if ok else f"the {want.rule} clock should be "
                            f"{want.date or 'running'}, it is {got}"))
    ids = cited_ids(draft)
    for chunk_id in e.citations_include:
        ok = chunk_id in ids
        checks.append(Check("citations_include", ok, chunk_id, ids[:8],
                            feedback="" if ok else f"the draft does not rest on {chunk_id}"))
    for needle in e.reply_must_include:
        span = _find(needle, reply)
        checks.append(Check("reply_must_include", span is not None, _label(needle), None,
                            span=span, feedback="" if span else
                            f"the reply should say {_label(needle)!r}"))
    for needle in e.reply_must_not_include:
        span = _find(needle, reply)
        checks.append(Check("reply_must_not_include", span is None, f"not {_label(needle)}",
                            reply[span[0]:span[1]] if span else None, span=span,
                            feedback="" if span is None else
                            f"the reply says {reply[span[0]:span[1]]!r}, which the coaching "
                            "material rules out"))
    for item in e.plan_includes:
        ok = _plan_has(draft, item)
        checks.append(Check("plan_includes", ok, item, sorted(_plan_terms(draft))[:12],
                            feedback="" if ok else f"the plan has no step {item!r}"))
    if e.grounding is not None:
        ok = draft.grounding.verdict == e.grounding
        findings = [f"{f.text!r}: {f.why}" for f in draft.grounding.unsupported]
        checks.append(Check(
            "grounding", ok, e.grounding, draft.grounding.verdict,
            span=(draft.grounding.unsupported[0].start, draft.grounding.unsupported[0].end)
            if draft.grounding.unsupported else None,
            feedback="" if ok else _grounding_feedback(draft, trainee) or "; ".join(findings)))
    return checks


def _grounding_feedback(draft: DraftResult, trainee: bool) -> str:
    """A failed grounding check in a trainer's words: which claim, and which guide says so."""
    parts = []
    for f in draft.grounding.unsupported[:3]:
        if f.kind.startswith("forbidden:"):
            rule = f.kind.split(":", 1)[1].replace("_", " ")
            parts.append(f"the reply says {f.text!r}: the tone guide, {rule.capitalize()} "
                         f"({f.why})")
        else:
            who = "the reply" if trainee else "the draft"
            parts.append(f"{who} states {f.text!r}, which nothing supports: {f.why}")
    return "; ".join(parts)

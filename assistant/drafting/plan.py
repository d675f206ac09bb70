"""The resolution plan: which playbook, and its steps with dates (deterministic, no LLM).

The playbook is chosen from the escalation reasons that have evidence in the ticket text
first, then from the regulatory clocks the evidence started, then from the intent, but
only a confident one: on realistic tickets the intent is wrong often enough that a
confident wrong guess ("frozen account" read as a double charge) must not decide what
the reply is about. When nothing is clear, the fallback playbook asks the specialist to
confirm the issue type.
"""

from __future__ import annotations

from datetime import date, timedelta

from assistant.clocks.calendar import BusinessCalendar
from assistant.drafting.playbooks import Playbook, PlaybookSet, Step
from assistant.drafting.schema import Plan, PlanChoice, PlanStep
from assistant.triage.schema import Clock, Reason, TriageResult


def evidence_reasons(result: TriageResult) -> list[Reason]:
    """Escalating reasons found in the text itself (a signal with a span), not inferred
    from the intent alone."""
    return [r for r in result.reasons if r.action == "escalate" and r.start is not None]


def choose(result: TriageResult, playbooks: PlaybookSet) -> tuple[str, PlanChoice]:
    clocks = {c.rule for c in result.clocks}
    reasons = evidence_reasons(result)
    candidates: list[tuple[str, Playbook, Reason]] = []
    for name, playbook in playbooks.issues():
        hits = [r for r in reasons if r.code in playbook.match.reasons]
        if hits:
            candidates.append((name, playbook, hits[0]))
    if candidates:
        # The regime the evidence started refines the choice: an unauthorized charge on a
        # credit card (Reg Z clocks) is a billing dispute, not a Reg E transfer error.
        regime = [c for c in candidates if clocks & set(c[1].match.clocks)]
        name, _, reason = (regime or candidates)[0]
        return name, PlanChoice(driver="reason", code=reason.code, evidence=reason.evidence)
    for name, playbook in playbooks.issues():
        started = sorted(clocks & set(playbook.match.clocks))
        if started:
            return name, PlanChoice(driver="clock", code=started[0], evidence=started[0])
    confident = result.intent_confidence >= playbooks.intent_confidence
    if confident:
        for name, playbook in playbooks.issues():
            if result.intent in playbook.match.intents:
                return name, PlanChoice(
                    driver="intent",
                    code=result.intent,
                    evidence=f"intent {result.intent} ({result.intent_confidence:.0%})",
                )
    return playbooks.fallback, PlanChoice(
        driver="unclear",
        code=result.intent,
        evidence=f"no reason or clock says what this is; intent {result.intent} at "
        f"{result.intent_confidence:.0%}",
    )


def overlays(result: TriageResult, playbooks: PlaybookSet) -> list[str]:
    codes = {r.code for r in result.reasons}
    return [
        name for name, playbook in playbooks.overlays()
        if codes & set(playbook.match.reasons)
    ]


def build_plan(
    result: TriageResult, playbooks: PlaybookSet, calendar: BusinessCalendar
) -> Plan:
    name, choice = choose(result, playbooks)
    extra = overlays(result, playbooks)
    received = date.fromisoformat(result.received_at or date.today().isoformat())
    clocks = {c.rule: c for c in result.clocks}
    steps: list[PlanStep] = []
    skipped: list[str] = []
    for source in [name, *extra]:
        for step in playbooks.playbooks[source].steps:
            planned = _step(step, source, received, clocks, calendar)
            if planned is None:
                skipped.append(f"{source}.{step.id}: the {step.due.clock} clock does not apply")
            else:
                steps.append(planned)
    steps.sort(key=lambda s: s.due or "9999-12-31")  # stable: playbook order within a day
    return Plan(
        playbook=name,
        title=playbooks.playbooks[name].title,
        chosen_by=choice,
        overlays=extra,
        steps=steps,
        confirm_issue=choice.driver == "unclear",
        skipped=skipped,
    )


def _step(
    step: Step,
    playbook: str,
    received: date,
    clocks: dict[str, Clock],
    calendar: BusinessCalendar,
) -> PlanStep | None:
    due: date | None
    if step.due.clock is not None:
        clock = clocks.get(step.due.clock)
        if clock is None:
            return None
        base = date.fromisoformat(clock.deadline) if clock.deadline else None
        if base is not None and step.due.business_days:
            due = calendar.add_business_days(base, step.due.business_days)
            basis = f"{step.due.business_days} business days after {step.due.clock}"
        else:
            due = base
            basis = f"clock {step.due.clock}" + ("" if base else " (its start date is unknown)")
        citation = clock.chunk_id or clock.citation if step.citation == "clock" else step.citation
    elif step.due.business_days is not None:
        due = calendar.add_business_days(received, step.due.business_days)
        basis = f"{step.due.business_days} business days after the received day"
        citation = step.citation
    else:
        due = received + timedelta(days=step.due.calendar_days or 0)
        basis = f"{step.due.calendar_days} calendar days after the received day"
        citation = step.citation
    return PlanStep(
        id=step.id,
        playbook=playbook,
        action=" ".join(step.action.split()),
        owner=step.owner,
        due=due.isoformat() if due else None,
        due_basis=basis,
        citation=citation,
        customer_facing=step.customer_facing,
        proposed=step.proposed,
    )

"""Run a suite through the real pipeline in-process (triage, clocks, plan, reply, grounding
check), in parallel, and summarise it: pass rates per check and per tag, the escalation
confusion matrix, ragas metrics, and the trainer-agreement of trainee grading.

Everything a run keeps is redacted: tickets as triage redacted them, replies as written
(placeholders), trainee replies through the PII guard.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from typing import Any, Callable, Sequence

from assistant.evaluation.suites.checks import cited_ids, run_checks
from assistant.evaluation.suites.metrics import Judge, offline_metrics
from assistant.evaluation.suites.schema import Case, Suite
from assistant.guards.pii import PiiDetector

RUN_FORMAT = 1


def _received(case: Case, suite: Suite) -> date:
    return case.received_at or suite.defaults.received_at or date.today()


def run_case(case: Case, suite: Suite, drafter: Any, pii: PiiDetector,
             judge: Judge | None = None, keep: Sequence[str] = ()) -> dict[str, Any]:
    started = time.perf_counter()
    writer = "composer" if case.reply is not None else suite.defaults.writer
    try:
        # A trainee's reply is checked as written (the kb's public contacts must match);
        # only its redacted form is kept.
        draft = drafter.draft(case.ticket, _received(case, suite), writer,
                              reply_text=case.reply)
    except Exception as exc:  # one bad case is a failed case, not a failed run
        return {"id": case.id, "tags": case.tags, "flaky": case.flaky, "passed": False,
                "error": f"{type(exc).__name__}: {getattr(exc, 'message', str(exc))[:300]}",
                "checks": [], "ms": round((time.perf_counter() - started) * 1000, 1)}
    checks = run_checks(case, draft)
    if case.reply is not None:
        draft = _redacted(draft, pii, keep)
        for check in checks:
            if isinstance(check.actual, str):
                check.actual = pii.redact(check.actual, keep=keep).text
            check.feedback = pii.redact(check.feedback, keep=keep).text
    ids = cited_ids(draft)
    metrics = offline_metrics(ids, case.expect.citations_include, draft.reply,
                              case.expect.reference_reply)
    if judge is not None:
        texts = [c.quote for c in draft.citations if c.quote]
        judge.score(metrics, draft.redacted_text, draft.reply, texts)
    passed = all(c.passed for c in checks)
    out: dict[str, Any] = {
        "id": case.id,
        "tags": case.tags,
        "flaky": case.flaky,
        "passed": passed,
        "checks": [c.to_dict() for c in checks],
        "metrics": metrics.to_dict(),
        "ticket": draft.redacted_text,
        "received_at": draft.received_at,
        "writer": draft.writer,
        "reply": draft.reply,
        "intent": draft.intent,
        "intent_confidence": round(draft.intent_confidence, 3),
        "escalate": draft.escalate,
        "expected_escalate": case.expect.escalate,
        "reasons": [r.code for r in draft.reasons],
        "clocks": [{"rule": c.rule, "deadline": c.deadline} for c in draft.clocks],
        "plan": {"playbook": draft.plan.playbook, "overlays": draft.plan.overlays,
                 "steps": [{"id": s.id, "owner": s.owner, "due": s.due}
                           for s in draft.plan.steps]},
        "citations": [{"marker": c.marker, "chunk_id": c.chunk_id, "quote": c.quote}
                      for c in draft.citations],
        "grounding": draft.grounding.model_dump(),
        "to_confirm": case.to_confirm,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if case.reply is not None:
        out["trainee"] = {"grade": case.grade, "grade_notes": case.grade_notes,
                          "verdict": "pass" if passed else "fail",
                          "feedback": [c.feedback for c in checks if not c.passed]}
    return out


def _redacted(draft: Any, pii: PiiDetector, keep: Sequence[str]) -> Any:
    """A person's reply may hold what the PII guard would mask: keep it masked."""
    reply = pii.redact(draft.reply, keep=keep).text
    grounding = draft.grounding.model_copy(update={"unsupported": [
        f.model_copy(update={"text": pii.redact(f.text, keep=keep).text})
        for f in draft.grounding.unsupported]})
    return draft.model_copy(update={"reply": reply, "grounding": grounding})


def run_suite(
    suite: Suite,
    drafter: Any,
    workers: int = 2,
    judge: Judge | None = None,
    progress: Callable[[int], None] = lambda _n: None,
    versions: dict[str, str] | None = None,
    keep: Sequence[str] = (),
) -> dict[str, Any]:
    """``keep``: the kb's public contact points, left as written in redacted replies."""
    pii = PiiDetector()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(run_case, c, suite, drafter, pii, judge, keep)
                   for c in suite.cases]
        results = []
        for future in futures:  # in suite order
            results.append(future.result())
            progress(1)
    seconds = time.perf_counter() - started
    return {
        "format": RUN_FORMAT,
        "suite": suite.name,
        "suite_path": suite.path,
        "suite_sha256": hashlib.sha256(
            "\n".join(c.model_dump_json() for c in suite.cases).encode()).hexdigest()[:16],
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 2),
        "versions": versions or {},
        "gates": [g.model_dump() for g in suite.gates],
        "summary": summarise(results),
        "cases": results,
    }


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    counted = [r for r in results if not r["flaky"]]
    by_check: dict[str, list[bool]] = defaultdict(list)
    by_tag: dict[str, list[bool]] = defaultdict(list)
    for r in counted:
        for c in r["checks"]:
            by_check[c["name"]].append(c["passed"])
        for tag in r["tags"]:
            by_tag[tag].append(r["passed"])
    matrix = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for r in counted:
        want, got = r.get("expected_escalate"), r.get("escalate")
        if want is None or got is None:
            continue
        matrix[("t" if want == got else "f") + ("p" if got else "n")] += 1
    recall = matrix["tp"] / (matrix["tp"] + matrix["fn"]) if matrix["tp"] + matrix["fn"] else None
    precision = (matrix["tp"] / (matrix["tp"] + matrix["fp"])
                 if matrix["tp"] + matrix["fp"] else None)
    metric_values: dict[str, list[float]] = defaultdict(list)
    not_scored: dict[str, int] = defaultdict(int)
    for r in counted:
        for name, value in (r.get("metrics") or {}).items():
            if name == "not_scored":
                for key in value:
                    not_scored[key] += 1
            elif value is not None:
                metric_values[name].append(value)
    return {
        "cases": len(results),
        "counted": len(counted),
        "flaky": [r["id"] for r in results if r["flaky"]],
        "passed": sum(r["passed"] for r in counted),
        "pass_rate": round(sum(r["passed"] for r in counted) / len(counted), 4) if counted else 0.0,
        "failed": [r["id"] for r in counted if not r["passed"]],
        "errors": [r["id"] for r in results if r.get("error")],
        "by_check": {k: {"n": len(v), "pass_rate": round(sum(v) / len(v), 4)}
                     for k, v in sorted(by_check.items())},
        "by_tag": {k: {"n": len(v), "pass_rate": round(sum(v) / len(v), 4)}
                   for k, v in sorted(by_tag.items())},
        "escalation": {**matrix,
                       "recall": round(recall, 4) if recall is not None else None,
                       "precision": round(precision, 4) if precision is not None else None,
                       "missed": [r["id"] for r in counted
                                  if r.get("expected_escalate") and not r.get("escalate")]},
        "metrics": {k: {"n": len(v), "mean": round(sum(v) / len(v), 4)}
                    for k, v in sorted(metric_values.items())},
        "not_scored": dict(not_scored),
        "grading": _agreement(counted),
        "case_ms_p50": _median([r["ms"] for r in results]),
    }


def _median(values: list[float]) -> float:
    values = sorted(values)
    return round(values[len(values) // 2], 1) if values else 0.0


def _agreement(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """How often the checks' verdict on a trainee's reply matches the trainer's grade."""
    pairs = [(r["trainee"]["grade"], r["trainee"]["verdict"]) for r in results
             if r.get("trainee") and r["trainee"]["grade"]]
    if not pairs:
        return None
    from sklearn.metrics import cohen_kappa_score

    human = [h for h, _ in pairs]
    machine = [m for _, m in pairs]
    agree = sum(h == m for h, m in pairs) / len(pairs)
    kappa = (float(cohen_kappa_score(human, machine))
             if len(set(human)) > 1 or len(set(machine)) > 1 else None)
    return {"n": len(pairs), "agreement": round(agree, 4),
            "cohen_kappa": round(kappa, 4) if kappa is not None else None,
            "disagreements": [r["id"] for r in results if r.get("trainee") and
                              r["trainee"]["grade"] and
                              r["trainee"]["grade"] != r["trainee"]["verdict"]]}

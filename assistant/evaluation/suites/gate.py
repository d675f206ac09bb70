"""The regression gate: each gated figure against its minimum and against the baseline run
(allowed drop), and the case-by-case diff (newly failing, newly passing, unchanged).

Exit codes of `assistant eval run`: 0 nothing regressed, 1 a gate failed or a case that
passed in the baseline fails now (flaky cases are reported, never counted), 2 a bad suite.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.errors import SuiteError


def figure(summary: dict[str, Any], metric: str) -> float | None:
    if metric == "pass_rate":
        return summary.get("pass_rate")
    if metric == "escalation_recall":
        return summary.get("escalation", {}).get("recall")
    if metric == "escalation_precision":
        return summary.get("escalation", {}).get("precision")
    if metric == "grade_agreement":
        return (summary.get("grading") or {}).get("agreement")
    kind, _, name = metric.partition(":")
    table = summary.get("by_check" if kind == "check" else "by_tag", {})
    return table.get(name, {}).get("pass_rate")


def load_run(path: Path) -> dict[str, Any]:
    try:
        run = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise SuiteError(f"cannot read the baseline run {path}: {exc.strerror}",
                         "pass the run JSON an earlier `assistant eval run` wrote") from None
    except json.JSONDecodeError as exc:
        raise SuiteError(f"the baseline {path} is not JSON (line {exc.lineno})",
                         "pass the run JSON an earlier `assistant eval run` wrote") from None
    if not isinstance(run, dict) or "summary" not in run or "cases" not in run:
        raise SuiteError(f"{path} is not a run of `assistant eval run`",
                         "pass the run JSON (the `run` path its --json summary prints)")
    return run


def apply_gates(run: dict[str, Any], baseline: dict[str, Any] | None) -> dict[str, Any]:
    summary = run["summary"]
    gates = []
    for gate in run["gates"]:
        now = figure(summary, gate["metric"])
        before = figure(baseline["summary"], gate["metric"]) if baseline else None
        problems = []
        if now is None:
            verdict = "not_applicable"
        else:
            if now < gate["minimum"]:
                problems.append(f"{now:.4f} is below the minimum {gate['minimum']}")
            if before is not None and before - now > gate["max_drop"] + 1e-9:
                problems.append(f"dropped {before - now:.4f} from {before:.4f} "
                                f"(allowed {gate['max_drop']})")
            verdict = "fail" if problems else "pass"
        gates.append({**gate, "figure": now, "baseline": before, "verdict": verdict,
                      "why": "; ".join(problems)})
    diff = {"newly_failing": [], "newly_passing": [], "unchanged": 0, "new_cases": [],
            "flaky_failing": [], "regressed_checks": []}
    if baseline:
        before_cases = {c["id"]: c for c in baseline["cases"]}
        for case in run["cases"]:
            old = before_cases.get(case["id"])
            if old is None:
                diff["new_cases"].append(case["id"])
                continue
            # checks that passed before and fail now, even where the case failed anyway
            passed_before = {(c["name"], str(c["expected"])) for c in old["checks"] if c["passed"]}
            worse = [c for c in case["checks"] if not c["passed"]
                     and (c["name"], str(c["expected"])) in passed_before]
            if worse:
                diff["regressed_checks"].append({"id": case["id"], "flaky": case["flaky"],
                                                 "checks": worse[:6]})
            if old["passed"] and not case["passed"]:
                key = "flaky_failing" if case["flaky"] else "newly_failing"
                diff[key].append({"id": case["id"], "checks": [
                    c for c in case["checks"] if not c["passed"]][:6]})
            elif not old["passed"] and case["passed"]:
                diff["newly_passing"].append(case["id"])
            else:
                diff["unchanged"] += 1
    regressed = any(g["verdict"] == "fail" for g in gates) or bool(diff["newly_failing"])
    return {"gates": gates, "diff": diff if baseline else None,
            "verdict": "fail" if regressed else "pass", "exit_code": 1 if regressed else 0}

"""Measured figures for the escalation decision: precision/recall/F1 overall, per source
and per reason code, and ROC-AUC of the escalation score against the CFPB proxy."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.config import PROJECT_ROOT
from assistant.errors import DatasetError, InputError
from assistant.ticket import parse_received_at
from assistant.triage.schema import TriageResult
from assistant.triage.service import Triager

ESCALATION_SET = PROJECT_ROOT / "evals" / "datasets" / "escalation" / "tickets.jsonl"


def load_escalation_set(path: Path = ESCALATION_SET) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(
            f"cannot read the escalation set {path}: {exc}",
            "restore it from git, or rebuild it with `python evals/escalation/build_set.py`",
        ) from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if not isinstance(row.get("text"), str) or not isinstance(row.get("escalate"), bool):
                raise ValueError('needs a string "text" and a boolean "escalate"')
            reasons = row.get("reasons")
            if reasons is not None and not all(isinstance(r, str) for r in reasons):
                raise ValueError('"reasons" must be a list of reason codes or null')
            row["received"] = parse_received_at(row.get("received_at"))
        except (ValueError, AttributeError, TypeError) as exc:
            raise DatasetError(
                f"{path}, line {number}: not an escalation ticket ({exc})",
                'each line needs {"id", "text", "escalate": true|false, "reasons": [...]}',
            ) from None
        except InputError as exc:  # a received_at that is not a date
            raise DatasetError(f"{path}, line {number}: {exc.message}", exc.hint) from None
        row.setdefault("source", path.stem)
        row.setdefault("id", f"line-{number}")
        rows.append(row)
    if not rows:
        raise DatasetError(f"the escalation set {path} is empty", "add tickets, one JSON per line")
    return rows


def evaluate_escalation(
    triager: Triager,
    rows: Sequence[dict[str, Any]],
    batch_size: int = 64,
    progress: Callable[[int], None] = lambda _n: None,
) -> dict[str, Any]:
    results: list[TriageResult] = []
    for i in range(0, len(rows), batch_size):
        chunk = rows[i : i + batch_size]
        tickets = [triager.prepare(r["text"]) for r in chunk]
        results += triager.triage_tickets(tickets, [r["received"] for r in chunk])
        progress(len(chunk))

    report: dict[str, Any] = {"n": len(rows), "must_escalate": sum(r["escalate"] for r in rows)}
    report.update(_prf([r["escalate"] for r in rows], [x.escalate for x in results]))
    by_source: dict[str, Any] = {}
    for source in sorted({r["source"] for r in rows}):
        idx = [i for i, r in enumerate(rows) if r["source"] == source]
        by_source[source] = {
            "n": len(idx),
            "must_escalate": sum(rows[i]["escalate"] for i in idx),
            **_prf([rows[i]["escalate"] for i in idx], [results[i].escalate for i in idx]),
        }
    report["by_source"] = by_source
    report["by_reason"] = _per_reason(rows, results)
    report["roc_auc"] = _auc([r["escalate"] for r in rows], [x.escalation_score for x in results])
    cfpb = [i for i, r in enumerate(rows) if "monetary_relief" in r]
    if cfpb:
        labels = [bool(rows[i]["monetary_relief"]) for i in cfpb]
        report["cfpb_monetary_relief_roc_auc"] = _auc(
            labels, [results[i].escalation_score for i in cfpb]
        )
        report["cfpb_monetary_relief_n"] = sum(labels)
    by_issue = [i for i, r in enumerate(rows) if "escalate_by_issue" in r]
    if by_issue:  # the stricter, issue-based CFPB labels (see GUIDELINE.md), for reference
        report["cfpb_issue_labels"] = _prf(
            [bool(rows[i]["escalate_by_issue"]) for i in by_issue],
            [results[i].escalate for i in by_issue],
        )
    report["missed"] = [
        {"id": r["id"], "source": r["source"], "gold_reasons": r.get("reasons"),
         "intent": x.intent, "text": r["text"][:160]}
        for r, x in zip(rows, results)
        if r["escalate"] and not x.escalate
    ]  # fmt: skip
    report["false_alarms"] = [
        {"id": r["id"], "source": r["source"],
         "reasons": [c.code for c in x.reasons if c.action == "escalate"], "text": r["text"][:160]}
        for r, x in zip(rows, results)
        if x.escalate and not r["escalate"]
    ]  # fmt: skip
    return report


def _prf(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, float | int]:
    tp = sum(g and p for g, p in zip(gold, predicted))
    fp = sum(p and not g for g, p in zip(gold, predicted))
    fn = sum(g and not p for g, p in zip(gold, predicted))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    benign = sum(not g for g in gold)
    return {
        # escalations of tickets that did not need one, per benign ticket
        "false_alarm_rate": round(fp / benign, 4) if benign else 0.0,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def _per_reason(rows: Sequence[dict[str, Any]], results: Sequence[TriageResult]) -> dict[str, Any]:
    """Per reason code, over the tickets that carry reason labels (not the CFPB rows)."""
    labelled = [(r, x) for r, x in zip(rows, results) if r.get("reasons") is not None]
    codes = sorted({c for r, _ in labelled for c in r["reasons"]})
    out: dict[str, Any] = defaultdict(dict)
    for code in codes:
        gold = [code in r["reasons"] for r, _ in labelled]
        predicted = [any(c.code == code for c in x.reasons) for _, x in labelled]
        out[code] = {"n": sum(gold), **_prf(gold, predicted)}
    return dict(out)


def _auc(labels: Sequence[bool], scores: Sequence[float]) -> float | None:
    if len(set(labels)) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(labels, scores)), 4)

"""Measured figures for the guards: PII precision/recall by type, injection accuracy/F1,
false positives on genuine banking questions."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from assistant.config import PROJECT_ROOT
from assistant.errors import DatasetError
from assistant.guards.injection import InjectionScore
from assistant.guards.pii import PII_TYPES, PiiDetector

PII_CASES = PROJECT_ROOT / "evals" / "datasets" / "pii" / "cases.jsonl"
INJECTION_SPLIT = (
    PROJECT_ROOT / "evals" / "datasets" / "prompt_injection" / "deepset_prompt_injections.json"
)


def load_pii_cases(path: Path = PII_CASES) -> list[dict[str, Any]]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read PII cases {path}: {exc}", "restore the file from git") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            for e in case["entities"]:
                if e["type"] not in PII_TYPES or not 0 <= e["start"] < e["end"] <= len(case["text"]):
                    raise ValueError(f"bad entity {e}")
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(
                f"{path}, line {number}: not a PII case ({exc})",
                'each line needs {"text": str, "entities": [{"type", "start", "end"}]}',
            ) from None
        cases.append(case)
    return cases


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def evaluate_pii(detector: PiiDetector, cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Span-level: a finding is right when it overlaps a gold span of the same type."""
    counts = {t: {"tp": 0, "fp": 0, "fn": 0, "gold": 0} for t in PII_TYPES}
    misses: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    for case in cases:
        found = detector.find(case["text"])
        gold = case["entities"]
        for g in gold:
            counts[g["type"]]["gold"] += 1
            if any(f.type == g["type"] and f.start < g["end"] and g["start"] < f.end for f in found):
                counts[g["type"]]["tp"] += 1
            else:
                counts[g["type"]]["fn"] += 1
                misses.append({"id": case.get("id"), "type": g["type"], "text": case["text"]})
        for f in found:
            if not any(f.type == g["type"] and f.start < g["end"] and g["start"] < f.end for g in gold):
                counts[f.type]["fp"] += 1
                false_alarms.append({"id": case.get("id"), "type": f.type, "text": case["text"]})
    tp = sum(c["tp"] for c in counts.values())
    fp = sum(c["fp"] for c in counts.values())
    fn = sum(c["fn"] for c in counts.values())
    return {
        "pii_precision": _ratio(tp, tp + fp),
        "pii_recall": _ratio(tp, tp + fn),
        "pii_by_type": {
            t: {
                "precision": _ratio(c["tp"], c["tp"] + c["fp"]),
                "recall": _ratio(c["tp"], c["tp"] + c["fn"]),
                "n": c["gold"],
            }
            for t, c in counts.items()
        },
        "pii_cases": len(cases),
        "pii_hard_negatives": sum(1 for c in cases if not c["entities"]),
        "pii_misses": misses[:20],
        "pii_false_alarms": false_alarms[:20],
    }


def load_injection_split(path: Path = INJECTION_SPLIT) -> list[dict[str, Any]]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [{"text": str(r["text"]), "label": int(r["label"])} for r in rows]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetError(
            f"cannot read the injection evaluation split {path} ({exc})",
            'restore it from git; it is a JSON list of {"text", "label"}',
        ) from None


def evaluate_injection(
    score: Callable[[Sequence[str]], list[InjectionScore]],
    rows: Sequence[dict[str, Any]],
    benign_queries: Iterable[str],
    benign_tickets: Sequence[str] = (),
    language_of: Callable[[str], str] | None = None,
    thresholds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """deepset F1, and false alarms on genuine text: short queries and long complaints.

    ``score`` gives the verdicts as triage reaches them (``Guards.check_texts``): the
    lexical detector, OR-ed with the embedding head when there is one. Each detector's
    share is reported too (``injection_lexical_*``, ``injection_embedding_*``).
    The tickets are the escalation set's (none is an injection); they were development
    data for both detectors' regularisation, so their rate is a development figure.
    """
    verdicts = score([r["text"] for r in rows])
    truth = [r["label"] == 1 for r in rows]
    scored = [(v.detected, y) for v, y in zip(verdicts, truth)]
    benign = list(benign_queries)
    started = time.perf_counter()
    benign_verdicts = score(benign)
    per_query_ms = (time.perf_counter() - started) * 1000 / max(1, len(benign))
    flagged = [q for q, v in zip(benign, benign_verdicts) if v.detected]
    flagged_tickets = [v for v in score(benign_tickets) if v.detected] if benign_tickets else []
    report = {
        **_scores("injection", scored),
        "injection_n": len(scored),
        "injection_thresholds": thresholds or {},
        "benign_false_positive_rate": _ratio(len(flagged), len(benign)),
        "benign_n": len(benign),
        "benign_flagged": flagged[:10],
        "ticket_false_positive_rate": _ratio(len(flagged_tickets), len(benign_tickets)),
        "ticket_n": len(benign_tickets),
        "ticket_flagged_by": dict(Counter(v.source for v in flagged_tickets)),
        "injection_score_ms_mean": round(per_query_ms, 3),
        "injection_by_language": _by_language(rows, scored, language_of) if language_of else {},
    }
    head_threshold = (thresholds or {}).get("embedding")
    if head_threshold is not None:  # what each detector catches alone
        lexical = [(v.detected and v.source != "embedding", y) for v, y in zip(verdicts, truth)]
        semantic = [
            ((v.embedding_score or 0.0) >= head_threshold, y) for v, y in zip(verdicts, truth)
        ]
        report.update(_scores("injection_lexical", lexical))
        report.update(_scores("injection_embedding", semantic))
    return report


def _scores(prefix: str, scored: Sequence[tuple[bool, bool]]) -> dict[str, float]:
    tp, fp, fn = _confusion(scored)
    return {
        f"{prefix}_accuracy": _ratio(sum(p == y for p, y in scored), len(scored)),
        f"{prefix}_precision": _ratio(tp, tp + fp),
        f"{prefix}_recall": _ratio(tp, tp + fn),
        f"{prefix}_f1": _ratio(2 * tp, 2 * tp + fp + fn),
    }


def _confusion(scored: Sequence[tuple[bool, bool]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of (predicted, actual) pairs."""
    tp = sum(p and y for p, y in scored)
    fp = sum(p and not y for p, y in scored)
    fn = sum(y and not p for p, y in scored)
    return tp, fp, fn


def _by_language(
    rows: Sequence[dict[str, Any]],
    scored: Sequence[tuple[bool, bool]],
    language_of: Callable[[str], str],
) -> dict[str, dict[str, Any]]:
    """Recall and precision per detected language: where the detector is weak."""
    groups: dict[str, list[tuple[bool, bool]]] = {}
    for row, pair in zip(rows, scored):
        groups.setdefault(language_of(row["text"]), []).append(pair)
    out = {}
    for language, pairs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        tp, fp, fn = _confusion(pairs)
        out[language] = {
            "n": len(pairs),
            "injections": tp + fn,
            "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn),
            "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        }
    return out

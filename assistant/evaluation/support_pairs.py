"""Precision and recall of the policy-sentence support decision on labelled pairs.

`evals/drafting/support_pairs.jsonl`: a reply sentence, the chunk it cites, and whether the
passage supports it (`supported`), does not say it (`unsupported`) or says the opposite
(`contradicted`). The decision measured is the grounder's for a policy sentence that cites
that chunk: the support model's probability against its fitted threshold. "Positive" is *supported*: precision is the share of
accepted sentences that the passage really supports (a miss lets an unsupported policy
statement reach a customer), recall the share of supported sentences accepted (a miss
false-fails a good reply).

The decision is fitted on the `dev` pairs (:func:`fit`), reported on `test`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from assistant.config import PROJECT_ROOT
from assistant.datafiles import jsonl_lines
import numpy as np

from assistant.drafting.support import FEATURES, Decision, SupportModel, decision_path
from assistant.errors import DatasetError

PAIRS = PROJECT_ROOT / "evals" / "drafting" / "support_pairs.jsonl"
LABELS = ("supported", "unsupported", "contradicted")


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    rows = []
    for number, line in jsonl_lines(path, DatasetError):
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{where}: not JSON ({exc.msg})", "one JSON object per line") from None
        if not isinstance(row, dict):
            raise DatasetError(f"{where}: not a JSON object", "one JSON object per line")
        missing = [k for k in ("id", "split", "sentence", "chunk_id", "label") if k not in row]
        if missing:
            raise DatasetError(f"{where}: missing {', '.join(missing)}",
                               "each pair needs id, split, sentence, chunk_id and label")
        if row["label"] not in LABELS or row["split"] not in ("dev", "test"):
            raise DatasetError(f"{where}: label {row['label']!r} / split {row['split']!r}",
                               f"labels: {', '.join(LABELS)}; splits: dev, test")
        rows.append(row)
    return rows


def passages(root: Path | None = None) -> dict[str, str]:
    """Chunk id -> text of the current version of every kb section (no index needed)."""
    from assistant.kb.check import _documents
    from assistant.kb.chunking import chunk_document

    best: dict[str, Any] = {}
    for doc in _documents(root or PROJECT_ROOT / "kb"):
        for c in chunk_document(doc):
            if c.chunk_id not in best or c.effective_date > best[c.chunk_id].effective_date:
                best[c.chunk_id] = c
    return {cid: c.text for cid, c in best.items()}


def score_pairs(model: SupportModel, pairs: Sequence[dict[str, Any]],
                texts: dict[str, str]) -> list[dict[str, Any]]:
    """Each pair with the support measures of its sentence against its passage."""
    out = []
    for p in pairs:
        text = texts.get(p["chunk_id"])
        if text is None:
            raise DatasetError(f"pair {p['id']} cites {p['chunk_id']}, which kb/ lacks",
                               "fix chunk_id (see `assistant kb check`)")
        s = model.score([p["sentence"]], [(p["chunk_id"], text)])[0]
        out.append({**p, "features": list(s.features), "probability": s.probability})
    return out


def figures(rows: Iterable[dict[str, Any]], accept: Any) -> dict[str, Any]:
    """Precision and recall of ``accept(row)`` with *supported* as the positive class."""
    tp = fp = fn = tn = 0
    by_label = {k: [0, 0] for k in LABELS}  # accepted, total
    by_kind: dict[str, list[int]] = {}
    errors = []
    for r in rows:
        ok = bool(accept(r))
        by_label[r["label"]][0] += ok
        by_label[r["label"]][1] += 1
        k = by_kind.setdefault(f"{r['label']}/{r.get('kind')}", [0, 0])
        k[0] += ok
        k[1] += 1
        positive = r["label"] == "supported"
        tp += ok and positive
        fp += ok and not positive
        fn += (not ok) and positive
        tn += (not ok) and not positive
        if ok != positive:
            errors.append({"id": r["id"], "label": r["label"], "kind": r.get("kind"),
                           "probability": r.get("probability"), "sentence": r["sentence"][:160]})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {
        "pairs": tp + fp + fn + tn,
        "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "accepted_by_label": {k: f"{a}/{n}" for k, (a, n) in by_label.items()},
        "accepted_by_kind": {k: f"{a}/{n}" for k, (a, n) in sorted(by_kind.items())},
        "errors": errors,
    }


def fit(rows: Sequence[dict[str, Any]]) -> Decision:
    """A logistic regression on the dev rows' features. The threshold is the one with the
    best F1 on 5-fold cross-validated probabilities of the same rows (a wrongly accepted
    sentence and a false-failed good reply both cost a specialist's attention)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X = np.array([r["features"] for r in rows], dtype=float)
    y = np.array([r["label"] == "supported" for r in rows])
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, class_weight="balanced",
                                                               max_iter=2000))
    cv = cross_val_predict(pipe, X, y, method="predict_proba",
                           cv=StratifiedKFold(5, shuffle=True, random_state=0))[:, 1]
    best = (-1.0, 0.5)
    for t in np.arange(0.30, 0.81, 0.02):
        accepted = cv >= t
        tp = float((accepted & y).sum())
        f1 = 2 * tp / (accepted.sum() + y.sum()) if accepted.sum() + y.sum() else 0.0
        if f1 > best[0] + 1e-9:
            best = (f1, round(float(t), 2))
    threshold = best[1]
    pipe.fit(X, y)
    scaler, lr = pipe.named_steps["standardscaler"], pipe.named_steps["logisticregression"]
    return Decision(tuple(float(v) for v in scaler.mean_), tuple(float(v) for v in scaler.scale_),
                    tuple(float(v) for v in lr.coef_[0]), float(lr.intercept_[0]), threshold,
                    f"{len(rows)} dev pairs of evals/drafting/support_pairs.jsonl")


def write_decision(decision: Decision, path: Path | None = None) -> Path:
    import yaml

    path = path or decision_path()
    path.write_text(
        "# The policy-sentence support decision (assistant/drafting/support.py): a logistic\n"
        "# regression over standardised features. Written by `assistant eval support --fit`\n"
        "# from the dev pairs only; do not edit by hand.\n"
        + yaml.safe_dump({
            "features": list(FEATURES), "fitted_on": decision.fitted_on,
            "threshold": decision.threshold, "bias": round(decision.bias, 6),
            "weights": [round(w, 6) for w in decision.weights],
            "mean": [round(m, 6) for m in decision.mean],
            "scale": [round(sc, 6) for sc in decision.scale],
        }, sort_keys=False), encoding="utf-8")
    return path


def evaluate_support(model: SupportModel, pairs: Sequence[dict[str, Any]] | None = None,
                     refit: bool = False) -> dict[str, Any]:
    """Figures of the model's decision on dev and test; with ``refit``, fit a new decision
    on dev first (the caller writes it with :func:`write_decision`)."""
    pairs = load_pairs() if pairs is None else pairs
    rows = score_pairs(model, pairs, passages())
    dev = [r for r in rows if r["split"] == "dev"]
    test = [r for r in rows if r["split"] == "test"]
    decision = fit(dev) if refit else model.decision
    def accept(r: dict[str, Any]) -> bool:
        return decision.probability(r["features"]) >= decision.threshold
    return {
        "decision": {"threshold": decision.threshold, "fitted_on": decision.fitted_on,
                     "weights": dict(zip(FEATURES, (round(w, 3) for w in decision.weights)))},
        "refitted": refit,
        "dev": figures(dev, accept),
        "test": figures(test, accept),
        "_decision": decision,
    }

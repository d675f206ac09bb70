"""Measured retrieval quality: recall@1, recall@5, MRR and nDCG@10 for dense, BM25 and
hybrid search on the question set in ``evals/retrieval/questions.yaml``.

Definitions (binary relevance; a question lists every chunk that answers it):
- recall@k: share of questions with at least one answering chunk in the top k
  (the "does the writer get something citable" figure);
- MRR: mean of 1/rank of the first answering chunk within the top 10 (0 if none);
- nDCG@10: standard, with all listed chunks as relevant.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from assistant.config import PROJECT_ROOT
from assistant.errors import DatasetError
from assistant.kb.retrieval import MODES, Retriever

RETRIEVAL_SET = PROJECT_ROOT / "evals" / "retrieval" / "questions.yaml"
DEPTH = 10


def load_questions(path: Path = RETRIEVAL_SET) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DatasetError(
            f"cannot read the retrieval set {path}: {exc.strerror}",
            "restore evals/retrieval/questions.yaml from git or pass --data",
        ) from None
    except yaml.YAMLError as exc:
        raise DatasetError(f"{path} is not valid YAML ({exc})", "fix the YAML") from None
    rows = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(rows, list) or not rows:
        raise DatasetError(
            f"{path} has no `questions:` list",
            "write questions: [{q: ..., relevant: [chunk ids]}, ...]",
        )
    out = []
    for n, row in enumerate(rows, 1):
        ok = (
            isinstance(row, dict)
            and isinstance(row.get("q"), str)
            and row["q"].strip()
            and isinstance(row.get("relevant"), list)
            and row["relevant"]
            and all(isinstance(c, str) and "#" in c for c in row["relevant"])
        )
        if not ok:
            raise DatasetError(
                f"{path}, question {n}: needs a non-empty `q` and a `relevant` list of chunk "
                "ids like policy/refunds#goodwill-credit-authority",
                "fix that entry",
            )
        as_of = row.get("as_of")
        if as_of is not None and not isinstance(as_of, dt.date):
            try:
                as_of = dt.date.fromisoformat(str(as_of))
            except ValueError:
                raise DatasetError(
                    f"{path}, question {n}: as_of {as_of!r} is not YYYY-MM-DD", "fix that entry"
                ) from None
        out.append({"q": row["q"].strip(), "relevant": list(row["relevant"]), "as_of": as_of})
    return out


def _ndcg(ranked: list[str], relevant: set[str], depth: int = DEPTH) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, cid in enumerate(ranked[:depth]) if cid in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), depth)))
    return dcg / ideal if ideal else 0.0


def evaluate_retrieval(retriever: Retriever, questions: list[dict[str, Any]]) -> dict[str, Any]:
    known = retriever.chunk_ids()
    unknown = sorted({c for q in questions for c in q["relevant"]} - known)
    if unknown:
        raise DatasetError(
            f"{len(unknown)} answer chunk ids are not in the index: {', '.join(unknown[:5])}",
            "run `assistant kb ingest` (the index may be stale), or fix the ids in the set",
        )
    report: dict[str, Any] = {"n": len(questions), "index_chunks": retriever.size}
    misses: list[dict[str, Any]] = []
    for mode in MODES:
        r1 = r5 = rr = nd = 0.0
        times = []
        for q in questions:
            started = time.perf_counter()
            hits = retriever.search(q["q"], k=DEPTH, as_of=q["as_of"], mode=mode)
            times.append(time.perf_counter() - started)
            ranked = [h.chunk.chunk_id for h in hits]
            relevant = set(q["relevant"])
            first = next((i for i, c in enumerate(ranked, 1) if c in relevant), None)
            r1 += first == 1
            r5 += first is not None and first <= 5
            rr += 1 / first if first else 0.0
            nd += _ndcg(ranked, relevant)
            if mode == "hybrid" and (first is None or first > 5):
                misses.append({"q": q["q"], "expected": q["relevant"], "got": ranked[:5]})
        n = len(questions)
        report[mode] = {
            "recall_at_1": round(r1 / n, 4),
            "recall_at_5": round(r5 / n, 4),
            "mrr": round(rr / n, 4),
            "ndcg_at_10": round(nd / n, 4),
            "query_p50_ms": round(1000 * statistics.median(times), 2),
        }
        for key, value in report[mode].items():
            report[f"{mode}_{key}"] = value
    report["hybrid_misses"] = misses
    return report

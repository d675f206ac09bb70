"""Exploratory probe (stop 12): would sentence embeddings help the injection detector?

Not part of the service. Trains a logistic regression on embeddings of the injection
corpus (the same texts and the same 0.5%-benign-FP threshold rule as the lexical
detector), with (a) the fine-tuned intent encoder, whose embedding triage already
computes for every ticket, and (b) the base all-MiniLM-L6-v2 retrieval embedder (an
extra encoder pass per ticket). It prints validation recall, false positives on the
escalation set's complaints and on BANKING77 test queries, and deepset F1 alone and
OR-ed with the current detector. Every run is one more look at the held-out deepset
split: record it. Takes ~9 minutes on 2 cores (embedding 18,700 texts twice).

    .venv/bin/python scripts/probe_injection_embeddings.py
"""

from __future__ import annotations

import csv
import json
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from assistant.config import PROJECT_ROOT, get_settings
from assistant.embeddings import ensure_onnx_embedder
from assistant.guards.injection import build_corpus
from assistant.intent.encoder import OnnxEncoder
from assistant.runtime import benign_queries, get_guards

DATASETS = PROJECT_ROOT / "evals" / "datasets"


def _f1(predicted: np.ndarray, actual: np.ndarray) -> tuple[float, float, float]:
    tp = int((predicted & (actual == 1)).sum())
    fp = int((predicted & (actual == 0)).sum())
    fn = int((~predicted & (actual == 1)).sum())
    f1 = 2 * tp / (2 * tp + fp + fn)
    return round(f1, 4), round(tp / max(1, tp + fp), 3), round(tp / (tp + fn), 3)


def main() -> None:
    settings = get_settings()
    texts, labels = build_corpus(benign_queries(settings.intent_train_csv))
    y = np.asarray(labels)
    escalation = [json.loads(line) for line in open(DATASETS / "escalation/tickets.jsonl")]
    complaints = [row["text"] for row in escalation if row["source"] != "banking77"]
    queries = [row["text"] for row in csv.DictReader(open(DATASETS / "banking77/test.csv"))]
    rows = json.load(open(DATASETS / "prompt_injection/deepset_prompt_injections.json"))
    truth = np.asarray([row["label"] for row in rows])
    detector = get_guards(settings).injection
    lexical = np.asarray([detector.score(row["text"]).detected for row in rows])
    encoders = {
        "intent": OnnxEncoder(settings.intent_model_dir, threads=settings.resolved_threads),
        "base": ensure_onnx_embedder("bundled", settings.data_dir / "models" / "embedder"),
    }
    for name, encoder in encoders.items():

        def embed(batch: list[str]) -> np.ndarray:
            vectors = encoder.encode(batch)
            return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

        started = time.time()
        corpus = embed(texts)
        print(name, "embedding s", round(time.time() - started))
        fit_x, val_x, fit_y, val_y = train_test_split(
            corpus, y, test_size=0.25, random_state=13, stratify=y
        )
        model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
        val_p = model.fit(fit_x, fit_y).predict_proba(val_x)[:, 1]
        benign = np.sort(val_p[val_y == 0])
        threshold = benign[int(np.ceil(0.995 * len(benign))) - 1] + 1e-4
        recall = float((val_p[val_y == 1] >= threshold).mean())
        print(name, "validation recall", round(recall, 4))
        model.fit(corpus, y)

        def flags(batch: list[str]) -> np.ndarray:
            return model.predict_proba(embed(batch))[:, 1] >= threshold

        print(name, "complaint FP", round(float(flags(complaints).mean()), 4),
              "BANKING77 test FP", round(float(flags(queries).mean()), 4))
        semantic = flags([row["text"] for row in rows])
        print(name, "deepset F1/P/R alone", _f1(semantic, truth),
              "lexical", _f1(lexical, truth), "OR", _f1(semantic | lexical, truth))


if __name__ == "__main__":
    main()

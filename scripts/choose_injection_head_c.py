"""Development run: the regularisation of the injection embedding head, on development data.

Not part of the service. For each C it trains the head (assistant/guards/embedding_head.py)
on the injection corpus embedded by the served intent encoder and prints its threshold,
validation recall, and whole-ticket false positives on the escalation set's 360
multi-sentence complaints (CFPB + written; none is an injection), alone and OR-ed with
the lexical detector. The rule (the same as for the lexical detector's C): the largest C
whose complaint false positives stay <= 2%. It never reads the deepset split.

    .venv/bin/python scripts/choose_injection_head_c.py   # ~1 min, after `assistant train`
"""

from __future__ import annotations

import json

import numpy as np

from assistant.config import PROJECT_ROOT, get_settings
from assistant.guards.embedding_head import EmbeddingInjectionHead
from assistant.guards.injection import build_corpus
from assistant.runtime import benign_queries, get_classifier, get_guards

GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def main() -> None:
    settings = get_settings()
    classifier = get_classifier(settings)
    guards = get_guards(settings)
    texts, labels = build_corpus(benign_queries(settings.intent_train_csv))
    rows = [
        json.loads(line)
        for line in (PROJECT_ROOT / "evals/datasets/escalation/tickets.jsonl").open()
    ]
    complaints = [r["text"] for r in rows if r["source"] != "banking77"]
    redacted = [guards.pii.redact(t).text for t in complaints]
    lexical = np.asarray([guards.injection.score(t).detected for t in complaints])
    corpus_vectors = classifier.encoder.encode(texts)
    complaint_vectors = classifier.encoder.encode(redacted)
    print(f"complaints {len(complaints)}; lexical detector alone flags {lexical.mean():.4f}")
    for c in GRID:
        head = EmbeddingInjectionHead.train(
            lambda _texts: corpus_vectors, texts, labels, key={}, regularisation=c
        )
        flagged = head.probabilities(complaint_vectors) >= head.threshold
        print(
            f"C={c:<5} threshold {head.threshold:.4f}  validation recall "
            f"{head.meta['validation']['recall']:.4f}  complaint FP alone {flagged.mean():.4f}"
            f"  OR lexical {(flagged | lexical).mean():.4f}"
        )


if __name__ == "__main__":
    main()

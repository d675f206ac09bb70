"""Intent accuracy, macro-F1, calibration and the most-confused label pairs."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

from assistant.intent.calibration import expected_calibration_error
from assistant.intent.classifier import IntentClassifier
from assistant.intent.dataset import LabelledData


def evaluate_intents(
    classifier: IntentClassifier, data: LabelledData, top_confusions: int = 10
) -> dict[str, Any]:
    probs = classifier.predict_proba(data.texts)
    index = {label: i for i, label in enumerate(classifier.labels)}
    y = np.array([index.get(label, -1) for label in data.labels])
    pred = probs.argmax(1)
    unknown = sorted({label for label in data.labels if label not in index})
    conf = probs.max(1)
    correct = pred == y
    if data.also:  # a second fair label of a multi-topic ticket counts as right
        correct |= np.array([classifier.labels[p] in a for p, a in zip(pred, data.also)])
    confusions = Counter(
        (data.labels[i], classifier.labels[pred[i]]) for i in np.flatnonzero(~correct)
    )
    # Share of tickets a human would see at the routing threshold, and accuracy on the rest.
    coverage = {
        f"{t:.1f}": {
            "routed_to_human": float((conf < t).mean()),
            "accuracy_of_rest": float(correct[conf >= t].mean()) if (conf >= t).any() else None,
        }
        for t in (0.3, 0.5, 0.7, 0.9)
    }
    return {
        "accuracy": float(correct.mean()),
        "accuracy_main_label": float((pred == y).mean()),
        "macro_f1": float(f1_score(y, pred, average="macro", labels=np.arange(len(index)))),
        "ece": expected_calibration_error(probs, y),
        "n": int(len(y)),
        "dataset": str(data.path),
        "dataset_sha256": data.sha256,
        "model_created_at": classifier.meta.get("created_at"),
        "unknown_labels": unknown,
        "confidence_routing": coverage,
        "most_confused": [
            {"true": t, "predicted": p, "count": n}
            for (t, p), n in confusions.most_common(top_confusions)
        ],
    }

"""A prompt-injection head on the intent encoder's sentence embedding.

The lexical detector (``injection.py``) knows words and character n-grams; it misses
injections phrased in words its corpus never used. The intent encoder, which triage runs
on every ticket anyway, places a text by meaning, so a logistic regression on its
embedding adds a second, semantic opinion for the cost of one 384-wide dot product.
The two are OR-ed: each keeps its own threshold (0.5% false positives on a held-out
quarter of the corpus), and a ticket is flagged when either passes it.

The head sees the whole ticket's embedding only (one encoder pass per ticket); the
lexical detector is the one that scores sentence by sentence. It is trained on the same
corpus as the lexical detector, embedded by the served encoder, and retrained whenever
that encoder or the corpus changes (keyed by both).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from assistant.errors import ModelNotReadyError
from assistant.guards.injection import threshold_for_false_positives

log = logging.getLogger(__name__)

HEAD_FILE = "embedding_head.npz"
HEAD_META = "embedding_head.json"
SCHEMA_VERSION = 1
# Inverse regularisation of the logistic regression, chosen like the lexical detector's:
# on development data only (never the deepset split), the largest C whose whole-ticket
# false positives on the escalation set's 360 multi-sentence complaints stay <= 2%.
# scripts/choose_injection_head_c.py with the served encoder and the lexical C above:
# OR-ed complaint false positives 0.3: 1.9%, 1.0: 2.5%.
REGULARISATION = 0.3

Embed = Callable[[Sequence[str]], np.ndarray]


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


@dataclass(frozen=True)
class EmbeddingInjectionHead:
    weight: np.ndarray  # (dim,)
    bias: float
    threshold: float
    meta: dict[str, Any]

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        """P(injection) for each row of raw (unnormalised) sentence embeddings."""
        z = _normalise(embeddings) @ self.weight + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def train(
        cls,
        embed: Embed,
        texts: Sequence[str],
        labels: Sequence[int],
        key: dict[str, str],
        regularisation: float = REGULARISATION,
        seed: int = 13,
    ) -> "EmbeddingInjectionHead":
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split

        x = _normalise(embed(list(texts)))
        y = np.asarray(labels)

        def fit(features: np.ndarray, target: np.ndarray) -> LogisticRegression:
            model = LogisticRegression(
                C=regularisation, max_iter=3000, class_weight="balanced", random_state=seed
            )
            return model.fit(features, target)

        # Threshold from a held-out quarter (the same split rule as the lexical detector).
        fit_x, val_x, fit_y, val_y = train_test_split(
            x, y, test_size=0.25, random_state=seed, stratify=y
        )
        held = fit(fit_x, fit_y)
        val_p = held.predict_proba(val_x)[:, 1]
        threshold = threshold_for_false_positives(val_p[val_y == 0])
        flagged = val_p >= threshold
        tp = int((flagged & (val_y == 1)).sum())
        model = fit(x, y)
        meta = {
            "schema_version": SCHEMA_VERSION,
            **key,
            "regularisation": regularisation,
            "threshold": threshold,
            "n_injection": int(y.sum()),
            "n_benign": int((y == 0).sum()),
            "validation": {
                "recall": round(tp / max(1, int((val_y == 1).sum())), 4),
                "precision": round(tp / max(1, int(flagged.sum())), 4),
            },
        }
        return cls(
            weight=model.coef_[0].astype(np.float32),
            bias=float(model.intercept_[0]),
            threshold=threshold,
            meta=meta,
        )

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.savez(directory / HEAD_FILE, weight=self.weight, bias=np.float32(self.bias))
        (directory / HEAD_META).write_text(json.dumps(self.meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "EmbeddingInjectionHead":
        try:
            meta = json.loads((directory / HEAD_META).read_text(encoding="utf-8"))
            if meta.get("schema_version") != SCHEMA_VERSION:
                raise ValueError(f"schema_version {meta.get('schema_version')!r}")
            with np.load(directory / HEAD_FILE) as data:
                weight, bias = data["weight"], float(data["bias"])
            return cls(weight, bias, float(meta["threshold"]), meta)
        except (OSError, ValueError, KeyError, EOFError) as exc:
            raise ModelNotReadyError(
                f"injection embedding head in {directory} is missing or unreadable ({exc})",
                "run `assistant train` to rebuild it (about a minute)",
            ) from None

    @classmethod
    def load_or_train(
        cls,
        directory: Path,
        embed: Embed,
        corpus: Callable[[], tuple[list[str], list[int]]],
        key: dict[str, str],
    ) -> "EmbeddingInjectionHead":
        """The saved head when it was trained for this encoder and corpus, else a new one."""
        if (directory / HEAD_META).exists():
            try:
                head = cls.load(directory)
                if all(head.meta.get(k) == v for k, v in key.items()):
                    return head
            except ModelNotReadyError as exc:
                log.warning("%s; retraining", exc.message)
        log.warning(
            "training the injection embedding head on the intent encoder (once per encoder, "
            "about a minute)"
        )
        texts, labels = corpus()
        head = cls.train(embed, texts, labels, key)
        head.save(directory)
        return head

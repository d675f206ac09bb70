"""Nearest-neighbour evidence: how close a ticket is to each intent's training examples.

For each intent, the highest cosine similarity between the ticket and that intent's
examples, in the fine-tuned embedding space. It adds memory of rare phrasings that the
linear head averages away; its weight in the ensemble is fitted on held-out data
(and is 0 when it does not help).
"""

from __future__ import annotations

import numpy as np


class NearestExamples:
    def __init__(self, embeddings: np.ndarray, labels: np.ndarray, n_classes: int) -> None:
        order = np.argsort(labels, kind="stable")
        sorted_labels = labels[order]
        missing = set(range(n_classes)) - set(sorted_labels.tolist())
        if missing:
            raise ValueError(f"no examples for class ids {sorted(missing)}")
        self.embeddings = _normalise(embeddings[order]).astype(np.float32)
        self.starts = np.searchsorted(sorted_labels, np.arange(n_classes))

    def scores(self, embeddings: np.ndarray) -> np.ndarray:
        """Per-class maximum cosine similarity, shape (n, classes)."""
        sims = _normalise(embeddings) @ self.embeddings.T
        return np.maximum.reduceat(sims, self.starts, axis=1)

    def save(self, path: str) -> None:
        np.savez(path, embeddings=self.embeddings.astype(np.float16), starts=self.starts)

    @classmethod
    def load(cls, path: str) -> "NearestExamples":
        data = np.load(path)
        obj = cls.__new__(cls)
        obj.embeddings = data["embeddings"].astype(np.float32)
        obj.starts = data["starts"]
        return obj


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / np.clip(np.linalg.norm(x, axis=1, keepdims=True), 1e-12, None)

"""The trained intent classifier as served: load once, predict fast, calibrated."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from assistant.errors import ModelNotReadyError
from assistant.intent.calibration import softmax
from assistant.intent.encoder import OnnxEncoder
from assistant.intent.lexical import FastLexicalScorer
from assistant.intent.neighbours import NearestExamples, top_candidates

META_FILE = "meta.json"
HEAD_FILE = "head.npz"
LEXICAL_FILE = "lexical.joblib"
NEIGHBOURS_FILE = "neighbours.npz"
SCHEMA_VERSION = 1
# Intents per ticket the nearest-example member scores (see neighbours.py).
NEIGHBOUR_CANDIDATES = 10


@dataclass(frozen=True)
class IntentPrediction:
    label: str
    confidence: float
    alternatives: list[tuple[str, float]]  # next most likely labels, best first


class IntentClassifier:
    """Fine-tuned encoder logits + weighted lexical margins + weighted nearest-example
    similarities, temperature-scaled."""

    def __init__(
        self,
        encoder: OnnxEncoder,
        head_weight: np.ndarray,
        head_bias: np.ndarray,
        labels: list[str],
        temperature: float,
        lexical: Any | None = None,
        lexical_weight: float = 0.0,
        neighbours: NearestExamples | None = None,
        neighbour_weight: float = 0.0,
        meta: dict[str, Any] | None = None,
    ) -> None:
        if head_weight.shape[0] != len(labels):
            raise ModelNotReadyError(
                f"intent head has {head_weight.shape[0]} classes but {len(labels)} labels",
                "the model directory is inconsistent; run `assistant train --force`",
            )
        self.encoder = encoder
        self.head_weight = head_weight
        self.head_bias = head_bias
        self.labels = labels
        self.temperature = temperature
        self.lexical = lexical
        self._lexical_fast = FastLexicalScorer(lexical) if lexical is not None else None
        self.lexical_weight = lexical_weight
        self.neighbours = neighbours
        self.neighbour_weight = neighbour_weight
        self.meta = meta or {}

    @classmethod
    def load(cls, model_dir: Path, threads: int = 0) -> "IntentClassifier":
        meta = read_meta(model_dir)
        if meta is None:
            raise ModelNotReadyError(
                f"no trained intent classifier in {model_dir}",
                "run `assistant train` (about 10 minutes on a 2-core CPU), or `make run`, "
                "which trains it when it is missing",
            )
        try:
            head = np.load(model_dir / HEAD_FILE)
            weight, bias = head["weight"], head["bias"]
            lexical = None
            if meta.get("lexical_weight", 0.0) > 0:
                import joblib

                lexical = joblib.load(model_dir / LEXICAL_FILE)
            neighbours = None
            if meta.get("neighbour_weight", 0.0) > 0:
                neighbours = NearestExamples.load(str(model_dir / NEIGHBOURS_FILE))
        except Exception as exc:  # numpy/joblib raise many types for damaged files
            raise ModelNotReadyError(
                f"intent model in {model_dir} is damaged ({type(exc).__name__}: {exc})",
                "run `assistant train --force` to rebuild it",
            ) from exc
        return cls(
            encoder=OnnxEncoder(model_dir, threads=threads, rows_alone=is_quantised(meta)),
            head_weight=weight,
            head_bias=bias,
            labels=list(meta["labels"]),
            temperature=float(meta["temperature"]),
            lexical=lexical,
            lexical_weight=float(meta.get("lexical_weight", 0.0)),
            neighbours=neighbours,
            neighbour_weight=float(meta.get("neighbour_weight", 0.0)),
            meta=meta,
        )

    @property
    def model_id(self) -> str:
        """Identifies this trained model (and so its encoder's embedding space)."""
        created, data = self.meta.get("created_at", "unknown"), self.meta.get("dataset_sha256")
        return f"{created}/{str(data)[:12]}"

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Uncalibrated combined logits, shape (n, classes)."""
        return self._logits(self.encoder.encode(texts), texts)

    def _logits(self, emb: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        z = emb @ self.head_weight.T + self.head_bias
        if self._lexical_fast is not None and self.lexical_weight:
            z = z + self.lexical_weight * self._lexical_fast.scores(texts)
        if self.neighbours is not None and self.neighbour_weight:
            # Neighbours only re-rank the intents the head and lexical members already favour.
            candidates = top_candidates(z, NEIGHBOUR_CANDIDATES)
            z = z + self.neighbour_weight * self.neighbours.scores(emb, candidates)
        return z.astype(np.float32)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return softmax(self.logits(texts), self.temperature)

    def predict(self, texts: Sequence[str], top_k: int = 3) -> list[IntentPrediction]:
        return self.predict_with_embeddings(texts, top_k)[0]

    def predict_with_embeddings(
        self, texts: Sequence[str], top_k: int = 3
    ) -> tuple[list[IntentPrediction], np.ndarray]:
        """Predictions and the sentence embeddings they came from (other heads reuse them)."""
        emb = self.encoder.encode(texts)
        probs = softmax(self._logits(emb, texts), self.temperature)
        out = []
        for row in probs:
            order = np.argsort(-row)[: max(1, top_k)]
            out.append(
                IntentPrediction(
                    label=self.labels[order[0]],
                    confidence=float(row[order[0]]),
                    alternatives=[(self.labels[i], float(row[i])) for i in order[1:]],
                )
            )
        return out, emb


def is_quantised(meta: dict[str, Any]) -> bool:
    """The model's encoder is the int8 graph (its training found it as accurate)."""
    return bool(meta.get("quantisation", {}).get("used"))


def read_meta(model_dir: Path) -> dict[str, Any] | None:
    """The model's metadata, None when no model is there; damaged metadata raises."""
    path = model_dir / META_FILE
    if not path.is_file():
        return None
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        if meta.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"schema_version {meta.get('schema_version')!r}")
        for key in ("labels", "temperature", "dataset_sha256"):
            if key not in meta:
                raise ValueError(f"missing key {key!r}")
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise ModelNotReadyError(
            f"intent model metadata {path} is unreadable ({exc})",
            "run `assistant train --force` to rebuild the model",
        ) from None
    return meta

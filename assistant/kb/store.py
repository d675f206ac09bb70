"""The vector index: a Chroma collection of chunks, embedded or on a Chroma server.

Embedded (``PersistentClient`` in ``<data dir>/chroma``) is the default; with
``ASSISTANT_CHROMA_URL`` set the same code talks to a ``chroma run`` server through
``HttpClient``. The collection holds the redacted chunk text and its metadata as well as
the vectors, so the index is the only state retrieval needs: BM25 is rebuilt from it,
and several API workers can share one server.

We always pass our own embeddings: the collection has no embedding function, so Chroma
never tries to download its default model.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Iterable, Sequence
from urllib.parse import urlparse

import numpy as np

from assistant.errors import IndexNotReadyError, VectorStoreError
from assistant.kb.chunking import Chunk

log = logging.getLogger(__name__)

COLLECTION = "kb-chunks"
# Which vectors the collection holds; a change of model or input length means re-embedding.
EMBEDDER_NAME = "all-MiniLM-L6-v2/max128"


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def make_client(chroma_url: str | None, persist_dir: Any) -> Any:
    """An embedded client on ``persist_dir``, or an HTTP client for ``chroma_url``."""
    import chromadb

    if not chroma_url:
        persist_dir.mkdir(parents=True, exist_ok=True)
        try:
            return chromadb.PersistentClient(path=str(persist_dir), settings=_chroma_settings())
        except Exception as exc:  # chromadb raises many types for a bad directory
            raise VectorStoreError(
                f"cannot open the embedded Chroma index in {persist_dir} ({exc})",
                "check the directory is writable; delete it and run `assistant kb ingest` "
                "to rebuild the index",
            ) from exc
    url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
    if url.scheme not in {"http", "https"} or not url.hostname:
        raise VectorStoreError(
            f"ASSISTANT_CHROMA_URL={chroma_url!r} is not an http(s) URL",
            "set it like http://127.0.0.1:8001, or unset it for the embedded index",
        )
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=_chroma_settings(),
        )
        client.heartbeat()
    except Exception as exc:  # connection refused, DNS, TLS, wrong service
        raise VectorStoreError(
            f"cannot reach the Chroma server at {chroma_url} ({type(exc).__name__}: {exc})",
            "start it (`chroma run --path DIR --host 127.0.0.1 --port PORT`) or unset "
            "ASSISTANT_CHROMA_URL to use the embedded index",
        ) from exc
    return client


class ChunkStore:
    """The chunk collection: write by document version, read everything or nearest."""

    def __init__(self, client: Any, name: str = COLLECTION, location: str = "") -> None:
        self._client = client
        self.name = name
        self.location = location
        self._col = self._open()

    def _open(self) -> Any:
        try:
            return self._client.get_or_create_collection(
                self.name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine", "ef_search": 128}},
                metadata={"embedder": EMBEDDER_NAME},
            )
        except Exception as exc:
            raise VectorStoreError(
                f"cannot open the Chroma collection {self.name!r} at {self.location} ({exc})",
                "check ASSISTANT_CHROMA_URL / the data dir, or delete the index and re-ingest",
            ) from exc

    @property
    def embedder(self) -> str | None:
        return (self._col.metadata or {}).get("embedder")

    def check_embedder(self) -> None:
        """Refuse to search vectors made by another embedder than the one querying."""
        if self.embedder not in (None, EMBEDDER_NAME):
            raise IndexNotReadyError(
                f"the index {self.name!r} at {self.location} holds vectors from "
                f"{self.embedder!r}, not {EMBEDDER_NAME!r}",
                "run `assistant kb ingest`, which re-embeds everything",
            )

    def reset(self) -> None:
        """Drop every chunk (the embedder changed): the next ingest re-embeds all."""
        self._client.delete_collection(self.name)
        self._col = self._open()

    # ------------------------------------------------------------------ reads
    def count(self) -> int:
        return int(self._col.count())

    def revision(self) -> str:
        """Changes whenever an ingest changed the collection (retrievers reload on it)."""
        col = self._client.get_collection(self.name, embedding_function=None)
        return str((col.metadata or {}).get("revision", "0"))

    def documents(self) -> dict[str, dict[str, Any]]:
        """Per indexed document version: its hash, source, validity end and chunk ids."""
        got = self._col.get(include=["metadatas"])
        docs: dict[str, dict[str, Any]] = {}
        for index_id, meta in zip(got["ids"], got["metadatas"] or []):
            entry = docs.setdefault(
                str(meta["doc_key"]),
                {
                    "doc_id": meta["doc_id"],
                    "content_hash": meta["content_hash"],
                    "source": meta["source"],
                    "effective": int(meta["effective"]),
                    "valid_until": int(meta["valid_until"]),
                    "ids": [],
                },
            )
            entry["ids"].append(index_id)
        return docs

    def chunks(self) -> tuple[list[str], list[Chunk], np.ndarray]:
        """Every chunk (redacted text and metadata) and its vector, in a stable order."""
        got = self._col.get(include=["metadatas", "documents", "embeddings"])
        ids = list(got["ids"])
        if not ids:
            return [], [], np.zeros((0, 0), dtype=np.float32)
        order = sorted(range(len(ids)), key=ids.__getitem__)
        metas, docs = got["metadatas"] or [], got["documents"] or []
        vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(ids), -1)
        return (
            [ids[i] for i in order],
            [Chunk.from_metadata(metas[i], docs[i] or "") for i in order],
            vectors[order],
        )

    def vectors_by_text(self, index_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Stored vectors keyed by a hash of the text they embed, for re-use by an ingest
        that rewrites a document but leaves some of its sections as they were."""
        out: dict[str, np.ndarray] = {}
        ids = list(index_ids)
        for part in self._batches(len(ids)):
            got = self._col.get(ids=ids[part], include=["documents", "metadatas", "embeddings"])
            for meta, text, vector in zip(
                got["metadatas"] or [], got["documents"] or [], got["embeddings"]
            ):
                chunk = Chunk.from_metadata(meta, text or "")
                out[text_key(chunk.search_text)] = np.asarray(vector, dtype=np.float32)
        return out

    def nearest(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(index id, cosine similarity) of the ``n`` nearest chunks."""
        n = min(n, self.count())
        if n <= 0:
            return []
        got = self._col.query(query_embeddings=[vector], n_results=n, include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])]

    # ------------------------------------------------------------------ writes
    def _batches(self, size: int) -> Iterable[slice]:
        step = max(1, min(size, int(self._client.get_max_batch_size())))
        return (slice(s, s + step) for s in range(0, size, step))

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for part in self._batches(len(chunks)):
            batch = chunks[part]
            self._col.upsert(
                ids=[c.index_id for c in batch],
                embeddings=vectors[part],
                documents=[c.text for c in batch],
                metadatas=[c.metadata() for c in batch],  # type: ignore[misc]
            )

    def delete(self, index_ids: Sequence[str]) -> None:
        ids = list(index_ids)
        for part in self._batches(len(ids)):
            self._col.delete(ids=ids[part])

    def set_valid_until(self, index_ids: Sequence[str], valid_until: int) -> None:
        ids = list(index_ids)
        for part in self._batches(len(ids)):
            self._col.update(
                ids=ids[part], metadatas=[{"valid_until": valid_until}] * len(ids[part])
            )

    def bump_revision(self, revision: str) -> None:
        self._col.modify(metadata={"embedder": EMBEDDER_NAME, "revision": revision})


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def open_store(chroma_url: str | None, persist_dir: Any, name: str = COLLECTION) -> ChunkStore:
    location = chroma_url or str(persist_dir)
    return ChunkStore(make_client(chroma_url, persist_dir), name, location)

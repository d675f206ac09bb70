"""``assistant kb ingest``: bring the index in step with the source files.

Incremental by content hash: a document version whose hash is already indexed is not
re-embedded; a changed one is replaced; one whose file is gone leaves the index. A file
that fails to load this time keeps its previously indexed version (nothing is lost), and
the summary lists it. Every chunk passes the PII guard before it is stored.

Versions: a document id may have several versions (files), each with its own
``effective_date``. A version is in force from its effective date until the next
version's; retrieval filters on that range to answer "as of" a date.
"""

from __future__ import annotations

import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

import numpy as np

from assistant.errors import InputError, KbSourceError
from assistant.kb.chunking import FAR_FUTURE, Chunk, chunk_document, date_int, int_date
from assistant.kb.documents import Document
from assistant.kb.loaders import load_file, source_files
from assistant.kb.store import EMBEDDER_NAME, ChunkStore, text_key


class TextEncoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray: ...


class Redactor(Protocol):
    # returns an object with .text and .findings; `keep` values are left as written
    def redact(self, text: str, keep: Sequence[str] = ()) -> Any: ...


@dataclass
class Skipped:
    source: str
    error: str
    hint: str
    kept_indexed: bool = False  # a previous version stays in the index


@dataclass
class IngestReport:
    root: str
    files: int = 0
    documents: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_total: int = 0
    chunks_reused: int = 0  # rewritten documents' unchanged sections: vectors kept
    pii_redactions: int = 0
    reembedded_all: bool = False  # the index held another embedder's vectors
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def chunks_per_s(self) -> float:
        return self.chunks_embedded / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "files": self.files,
            "documents": self.documents,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "chunks_embedded": self.chunks_embedded,
            "chunks_reused": self.chunks_reused,
            "chunks_total": self.chunks_total,
            "pii_redactions": self.pii_redactions,
            "reembedded_all": self.reembedded_all,
            "skipped": [s.__dict__ for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "embed_seconds": round(self.embed_seconds, 3),
            "chunks_per_s": round(self.chunks_per_s, 1),
        }


def public_contacts(doc: Document) -> list[str]:
    """The company's published contact points a document declares (front matter
    `public_contacts`): they are not personal data, so redaction leaves them."""
    declared = (doc.meta.model_extra or {}).get("public_contacts") or []
    return [str(v) for v in declared if isinstance(v, (str, int))]


def _scope(path: Path, kb_root: Path) -> tuple[Path, str]:
    """The directory sources are named relative to, and the prefix this ingest owns.
    Inside the configured kb dir, names are relative to it, so ingesting a subfolder
    only touches that subfolder's documents."""
    path, kb_root = path.resolve(), kb_root.resolve()
    if path.is_relative_to(kb_root):
        rel = path.relative_to(kb_root).as_posix()
        return kb_root, "" if rel == "." else rel
    return (path.parent, path.name) if path.is_file() else (path, "")


SERVICE_SOURCES = "approved/"  # resolutions the service indexed from approved drafts


def _in_scope(source: str, prefix: str) -> bool:
    """Whether an ingest of ``prefix`` owns ``source``. Resolutions the service wrote from
    approved drafts have no file in kb/, so no ingest removes them."""
    if source.startswith(SERVICE_SOURCES):
        return False
    if not prefix:
        return True
    name = source.split("#", 1)[0]
    return name == prefix or name.startswith(prefix.rstrip("/") + "/")


def _valid_until(versions: dict[str, list[tuple[int, str]]]) -> dict[str, int]:
    """doc key -> the effective date of the next version of the same document."""
    out: dict[str, int] = {}
    for entries in versions.values():
        entries.sort()
        for (_eff, key), nxt in zip(entries, entries[1:] + [(date_int(FAR_FUTURE), "")]):
            out[key] = nxt[0]
    return out


def ingest(
    path: Path,
    store: ChunkStore,
    encoder: TextEncoder,
    redactor: Redactor,
    kb_root: Path,
    progress: Callable[[int], Any] | None = None,
    on_total: Callable[[int], Any] | None = None,
) -> IngestReport:
    """Ingest ``path`` (a file or a directory) into ``store``; see the module docstring."""
    started = time.perf_counter()
    if not path.exists():
        raise InputError(f"{path} does not exist", "pass a kb directory or a source file")
    root, prefix = _scope(path, kb_root)
    report = IngestReport(root=str(root / prefix) if prefix else str(root))
    files = source_files(path.resolve())
    report.files = len(files)

    loaded: dict[str, Document] = {}
    failed_sources: set[str] = set()
    for file in files:
        rel = file.relative_to(root).as_posix()
        try:
            docs, errors = load_file(file, root)
        except KbSourceError as exc:
            report.skipped.append(Skipped(rel, exc.message, exc.hint))
            failed_sources.add(rel)
            continue
        for exc in errors:
            report.skipped.append(Skipped(rel, exc.message, exc.hint))
            failed_sources.add(rel)
        for doc in docs:
            if doc.key in loaded:
                other = loaded[doc.key].source
                report.skipped.append(
                    Skipped(
                        doc.source,
                        f"{doc.source}: {doc.meta.id} version {doc.meta.version} is also in "
                        f"{other}",
                        "give one of them another version (and effective_date) or remove it",
                    )
                )
                continue
            loaded[doc.key] = doc
    report.documents = len(loaded)

    if store.embedder != EMBEDDER_NAME and store.count():
        store.reset()  # vectors from another embedder cannot be mixed with new ones
        report.reembedded_all = True
    indexed = store.documents()
    # Keep what is out of scope, and what a file that failed this time had indexed.
    keep = {
        key: entry
        for key, entry in indexed.items()
        if key not in loaded
        and (
            not _in_scope(entry["source"], prefix)
            or entry["source"].split("#", 1)[0] in failed_sources
        )
    }
    for skipped in report.skipped:
        skipped.kept_indexed = any(
            e["source"].split("#", 1)[0] == skipped.source for e in keep.values()
        )
    removed = [key for key in indexed if key not in loaded and key not in keep]

    versions: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for key, doc in loaded.items():
        versions[doc.meta.id].append((date_int(doc.meta.effective_date), key))
    for key, entry in keep.items():
        versions[entry["doc_id"]].append((entry["effective"], key))
    until = _valid_until(versions)

    to_embed: list[Chunk] = []
    stale_ids: list[str] = []
    for key, doc in loaded.items():
        old = indexed.get(key)
        if old and old["content_hash"] == doc.content_hash:
            report.unchanged += 1
            if old["valid_until"] != until[key]:
                store.set_valid_until(old["ids"], until[key])
            continue
        (report.changed if old else report.new).append(key)
        if old:
            stale_ids += old["ids"]
        valid_until = int_date(until[key])
        public = public_contacts(doc)
        for chunk in chunk_document(doc, valid_until):
            redaction = redactor.redact(chunk.text, keep=public)
            report.pii_redactions += len(redaction.findings)
            to_embed.append(replace(chunk, text=redaction.text))
    for key, entry in keep.items():
        if entry["valid_until"] != until[key]:
            store.set_valid_until(entry["ids"], until[key])

    # Sections an edit left as they were keep their vectors (from any indexed version of
    # the same document): editing one section of a policy re-embeds one chunk.
    rewritten = {c.doc_id for c in to_embed}
    pool = [i for e in indexed.values() if e["doc_id"] in rewritten for i in e["ids"]]
    reusable = store.vectors_by_text(pool) if pool else {}
    fresh: list[Chunk] = []
    reused: list[Chunk] = []
    for chunk in to_embed:
        (reused if text_key(chunk.search_text) in reusable else fresh).append(chunk)
    if reused:
        store.add(reused, np.stack([reusable[text_key(c.search_text)] for c in reused]))
    report.chunks_reused = len(reused)

    if on_total:
        on_total(len(fresh))
    embed_started = time.perf_counter()
    # Similar lengths side by side: the encoder pads each batch to its longest text.
    fresh.sort(key=lambda c: len(c.search_text))
    batch = 64
    # Chroma writes a part while the encoder embeds the next (onnxruntime releases the
    # GIL); one writer thread keeps the writes in order and the store single-threaded.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-writer") as writer:
        pending: Future[None] | None = None
        for start in range(0, len(fresh), batch):
            part = fresh[start : start + batch]
            vectors = encoder.encode([c.search_text for c in part])
            if pending is not None:
                pending.result()  # a failed write stops the ingest here
            pending = writer.submit(store.add, part, vectors)
            if progress:
                progress(len(part))
        if pending is not None:
            pending.result()
    report.embed_seconds = time.perf_counter() - embed_started
    # New chunk ids first, then drop what they replace: a crash in between leaves
    # duplicates for one re-run, never a hole.
    new_ids = {c.index_id for c in to_embed}
    store.delete([i for i in stale_ids if i not in new_ids])
    for key in removed:
        store.delete(indexed[key]["ids"])
    report.removed = removed
    report.chunks_embedded = len(fresh)
    if to_embed or removed or stale_ids:
        store.bump_revision(f"{time.time_ns()}")
    report.chunks_total = store.count()
    report.seconds = time.perf_counter() - started
    return report

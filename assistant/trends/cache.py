"""Triage results (and the ticket's embedding) cached by content hash, so re-running a
period costs only the new tickets. The key includes the model and policy versions: a new
model or policy re-triages. The cache holds redacted text only."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from assistant.trends.load import StreamTicket


@dataclass
class Triaged:
    intent: str
    confidence: float
    escalate: bool
    severity: str | None
    reasons: list[str]
    redacted: str
    vector: np.ndarray  # float32, unit length


class TriageCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS triage (key TEXT PRIMARY KEY, "
                        "result TEXT NOT NULL, vector BLOB NOT NULL)")
        self._lock = threading.Lock()

    @staticmethod
    def key(text: str, version: str) -> str:
        return hashlib.sha256(f"{version}\0{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, Triaged]:
        out: dict[str, Triaged] = {}
        for start in range(0, len(keys), 500):
            part = list(keys[start:start + 500])
            marks = ",".join("?" * len(part))
            for key, result, vector in self.db.execute(
                    f"SELECT key, result, vector FROM triage WHERE key IN ({marks})", part):
                r = json.loads(result)
                out[key] = Triaged(r["intent"], r["confidence"], r["escalate"], r["severity"],
                                   r["reasons"], r["redacted"],
                                   np.frombuffer(vector, dtype=np.float16).astype(np.float32))
        return out

    def put_many(self, items: Sequence[tuple[str, Triaged]]) -> None:
        with self._lock, self.db:
            self.db.executemany("INSERT OR REPLACE INTO triage VALUES (?, ?, ?)", [
                (k, json.dumps({"intent": t.intent, "confidence": t.confidence,
                                "escalate": t.escalate, "severity": t.severity,
                                "reasons": t.reasons, "redacted": t.redacted}),
                 t.vector.astype(np.float16).tobytes()) for k, t in items])


def triage_stream(
    tickets: Sequence[StreamTicket],
    triager: Any,
    cache: TriageCache | None,
    batch_size: int = 128,
    progress: Callable[[int], None] = lambda _n: None,
) -> tuple[list[Triaged], int]:
    """Every ticket's triage (from the cache where it can); returns them and how many were
    triaged now."""
    version = (f"{triager.classifier.meta.get('created_at')}|"
               f"{triager.escalation.policy.version}")
    keys = [TriageCache.key(t.text, version) for t in tickets]
    known = cache.get_many(keys) if cache else {}
    # the same text twice (a template, a copied message) is triaged once, as the cache would
    first: dict[str, int] = {}
    for i, k in enumerate(keys):
        if k not in known:
            first.setdefault(k, i)
    todo = list(first.values())
    for start in range(0, len(todo), batch_size):
        idx = todo[start:start + batch_size]
        prepared = [triager.prepare(tickets[i].text) for i in idx]
        results, vectors = triager.triage_tickets_with_embeddings(
            prepared, [tickets[i].received for i in idx])
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        fresh = []
        for i, r, v in zip(idx, results, vectors):
            t = Triaged(r.intent, float(r.intent_confidence), bool(r.escalate), r.severity,
                        [x.code for x in r.reasons], r.redacted_text, v.astype(np.float32))
            known[keys[i]] = t
            fresh.append((keys[i], t))
        if cache:
            cache.put_many(fresh)
        progress(len(idx))
    progress(len(tickets) - len(todo))
    return [known[k] for k in keys], len(todo)

"""Approved replies become past resolutions in the index at once, so the next similar
ticket's draft can cite them. Text is PII-scrubbed again before it is stored."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from assistant.guards.pii import PiiDetector
from assistant.kb.chunking import chunk_document
from assistant.kb.documents import Document, Section, parse_meta


class ResolutionIndexer:
    """Adds one approved resolution to the Chroma collection the retrievers read."""

    def __init__(self, store: Any, encoder: Any, pii: PiiDetector | None = None) -> None:
        self.store = store
        self.encoder = encoder
        self.pii = pii or PiiDetector()

    def __call__(self, resolution: dict[str, Any]) -> str:
        draft_id = resolution["draft_id"]
        meta = parse_meta(
            {
                "id": f"resolution/approved-{draft_id.lower()}",
                "title": f"Approved reply: {resolution['playbook'].replace('_', ' ')}",
                "type": "resolution",
                "version": "1",
                "effective_date": dt.date.fromisoformat(resolution["approved_on"]),
                "owner": "Escalations",
                "provenance": f"approved on {resolution['approved_on']}, draft {draft_id}, "
                              f"case {resolution['case_id']}",
            },
            f"approved draft {draft_id}",
        )
        body = "\n".join([
            f"Ticket summary: {self.pii.redact(resolution['summary']).text}",
            f"Playbook: {resolution['playbook']}; intent: {resolution['intent']}",
            f"Approved reply: {self.pii.redact(resolution['reply']).text}",
        ])
        doc = Document(meta, [Section(("Case",), body)], f"approved/{draft_id}")
        chunks = chunk_document(doc)
        vectors = self.encoder.encode([c.search_text for c in chunks])
        self.store.add(chunks, vectors)
        self.store.bump_revision(f"{time.time_ns()}")
        return chunks[0].chunk_id

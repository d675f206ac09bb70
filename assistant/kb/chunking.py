"""Documents to chunks: one chunk per section, with a stable, citable chunk id.

The id is ``<doc id>#<anchor of the section's own heading>``
(``policy/unauthorized-transfers#provisional-credit``); two sections with the same
heading in one document get their parent's anchor in front, and a section too long
for one chunk is split at paragraph breaks into ``#anchor``, ``#anchor-part-2``, ...
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.kb.chunk_ids import anchor
from assistant.kb.documents import Document

# ~400 words: the embedder reads the first 256 word pieces; BM25 reads everything.
MAX_CHUNK_CHARS = 2_400
FAR_FUTURE = dt.date(9999, 12, 31)


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    doc_key: str  # "<doc id>@<version>": one version of one document
    title: str
    section: str  # heading path, " > "-joined
    type: str
    version: str
    effective_date: dt.date
    valid_until: dt.date  # the next version's effective date (exclusive), or FAR_FUTURE
    owner: str
    source: str
    content_hash: str  # of the whole document version
    text: str

    @property
    def index_id(self) -> str:
        """Unique across versions: the same section of two versions is two entries."""
        return f"{self.chunk_id}@{self.version}"

    @property
    def search_text(self) -> str:
        """What is embedded and BM25-indexed: where the text sits, then the text."""
        return f"{self.title}. {self.section}.\n{self.text}"

    def metadata(self) -> dict[str, str | int]:
        """Chroma metadata: dates as YYYYMMDD integers so ranges filter numerically."""
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "doc_key": self.doc_key,
            "title": self.title,
            "section": self.section,
            "type": self.type,
            "version": self.version,
            "effective": date_int(self.effective_date),
            "valid_until": date_int(self.valid_until),
            "owner": self.owner,
            "source": self.source,
            "content_hash": self.content_hash,
        }

    @classmethod
    def from_metadata(cls, meta: dict[str, object], text: str) -> "Chunk":
        return cls(
            chunk_id=str(meta["chunk_id"]),
            doc_id=str(meta["doc_id"]),
            doc_key=str(meta["doc_key"]),
            title=str(meta["title"]),
            section=str(meta["section"]),
            type=str(meta["type"]),
            version=str(meta["version"]),
            effective_date=int_date(int(meta["effective"])),  # type: ignore[arg-type]
            valid_until=int_date(int(meta["valid_until"])),  # type: ignore[arg-type]
            owner=str(meta["owner"]),
            source=str(meta["source"]),
            content_hash=str(meta["content_hash"]),
            text=text,
        )


def date_int(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def int_date(value: int) -> dt.date:
    return dt.date(value // 10_000, value // 100 % 100, value % 100)


def _split_long(text: str, limit: int = MAX_CHUNK_CHARS) -> list[str]:
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for para in text.split("\n\n"):
        if current and len(current) + len(para) + 2 > limit:
            parts.append(current)
            current = ""
        while len(para) > limit:  # one giant paragraph: cut at the last space
            cut = para.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            parts.append((current + "\n\n" + para[:cut]).strip() if current else para[:cut])
            current, para = "", para[cut:].lstrip()
        current = f"{current}\n\n{para}" if current else para
    if current:
        parts.append(current)
    return parts


def chunk_document(doc: Document, valid_until: dt.date = FAR_FUTURE) -> list[Chunk]:
    meta = doc.meta
    counts: dict[str, int] = {}
    for section in doc.sections:
        counts[anchor(section.path[-1])] = counts.get(anchor(section.path[-1]), 0) + 1
    used: set[str] = set()
    chunks: list[Chunk] = []
    for section in doc.sections:
        base = anchor(section.path[-1])
        if counts[base] > 1 and len(section.path) > 1:
            base = f"{anchor(section.path[-2])}-{base}"
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        for part_no, text in enumerate(_split_long(section.text), 1):
            suffix = "" if part_no == 1 else f"-part-{part_no}"
            chunks.append(
                Chunk(
                    chunk_id=f"{meta.id}#{name}{suffix}",
                    doc_id=meta.id,
                    doc_key=doc.key,
                    title=meta.title,
                    section=" > ".join(section.path),
                    type=meta.type,
                    version=meta.version,
                    effective_date=meta.effective_date,
                    valid_until=valid_until,
                    owner=meta.owner,
                    source=doc.source,
                    content_hash=doc.content_hash,
                    text=text,
                )
            )
    return chunks

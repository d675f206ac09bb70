"""A knowledge-base document: validated front matter plus its sections.

Every source file (or every record of a resolutions JSONL/CSV) becomes one
:class:`Document`; the loaders in :mod:`assistant.kb.loaders` build them and the
chunker turns each section into one citable chunk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import KbSourceError

DOC_TYPES = ("policy", "terms", "regulation", "resolution", "guide")
REQUIRED_FIELDS = ("id", "title", "type", "version", "effective_date", "owner")


class DocMeta(BaseModel):
    """Front matter every document carries. Extra keys (e.g. ``source``) are kept."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._/-]*[a-z0-9]$", max_length=200)
    title: str = Field(min_length=1, max_length=300)
    type: Literal["policy", "terms", "regulation", "resolution", "guide"]
    version: str = Field(min_length=1, max_length=40)
    effective_date: dt.date
    owner: str = Field(min_length=1, max_length=200)

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        # YAML reads `version: 2` or `version: 1.1` as numbers; a version is a label.
        return str(value) if isinstance(value, (int, float)) else value

    @field_validator("effective_date", mode="before")
    @classmethod
    def _date_only(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        return value


def parse_meta(raw: dict[str, Any], where: str) -> DocMeta:
    """Validate front matter; the error names the file (and record) and every bad field."""
    missing = [name for name in REQUIRED_FIELDS if name not in raw]
    if missing:
        raise KbSourceError(
            f"{where}: front matter lacks {', '.join(missing)}",
            "start the file with a YAML block between '---' lines holding "
            + ", ".join(REQUIRED_FIELDS)
            + " (see kb/README.md)",
        )
    try:
        return DocMeta.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise KbSourceError(
            f"{where}: invalid front matter ({problems})",
            "id is lower-case like 'policy/refunds'; type is one of "
            + "/".join(DOC_TYPES)
            + "; effective_date is YYYY-MM-DD",
        ) from None


@dataclass(frozen=True)
class Section:
    """One section: its heading path below the title, and its body text."""

    path: tuple[str, ...]  # e.g. ("Provisional credit",) or ("7. Disputes", "7.2 Timing")
    text: str


@dataclass
class Document:
    meta: DocMeta
    sections: list[Section]
    source: str  # path relative to the ingest root, plus '#<record>' for JSONL/CSV rows
    content_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.content_hash:
            digest = hashlib.sha256()
            digest.update(self.meta.model_dump_json().encode())
            for section in self.sections:
                digest.update("\x1f".join(section.path).encode() + b"\x1e")
                digest.update(section.text.encode() + b"\x1d")
            self.content_hash = digest.hexdigest()

    @property
    def key(self) -> str:
        """Identity of this version of the document in the index."""
        return f"{self.meta.id}@{self.meta.version}"

"""Ticket streams in: JSON Lines ``{id, text, received_at, ...attributes}`` or a CSV with a
column mapping (the CFPB export's columns work as they are)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from assistant.datafiles import jsonl_lines
from assistant.errors import DatasetError

# CSV columns read by default; `--map field=Column` overrides one.
DEFAULT_MAP = {
    "id": ["id", "Complaint ID", "ticket_id"],
    "text": ["text", "Consumer complaint narrative", "body", "message"],
    "received_at": ["received_at", "Date received", "created_at", "date"],
    "product": ["product", "Product"],
    "issue": ["issue", "Issue"],
    "company": ["company", "Company"],
    "channel": ["channel", "Submitted via"],
    "merchant": ["merchant"],
    "app_version": ["app_version"],
    "outcome": ["outcome", "Company response to consumer"],
}
ATTRIBUTES = ("product", "issue", "company", "channel", "merchant", "app_version", "outcome")
HINT = ("JSON Lines need {id, text, received_at (YYYY-MM-DD)}; a CSV needs a text and a date "
        "column (CFPB exports work as they are; --map text=Column names another)")


@dataclass
class StreamTicket:
    id: str
    text: str
    received: date
    attributes: dict[str, str] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)  # generator labels (evaluation only)


def parse_day(value: str) -> date:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(value[:10] if fmt == "%Y-%m-%d" else value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date (YYYY-MM-DD, YYYY/M/D or M/D/YYYY)")


def load_stream(path: Path, mapping: dict[str, str] | None = None) -> list[StreamTicket]:
    """The tickets of a file. A CSV row without text (a CFPB complaint whose consumer gave
    no narrative) comes back with empty text: it still counts in the volumes by product,
    issue and company, but it has nothing to triage."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path} does not exist", HINT)
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        return _jsonl(path)
    if path.suffix.lower() == ".csv":
        return _csv(path, mapping or {})
    raise DatasetError(f"{path}: not a .jsonl or .csv file", HINT)


def _jsonl(path: Path) -> list[StreamTicket]:
    out = []
    for number, line in jsonl_lines(path, DatasetError, HINT):
        try:
            row = json.loads(line)
            text = row["text"]
            if not isinstance(text, str) or not text.strip():
                raise ValueError("empty text")
            received = parse_day(str(row["received_at"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path}, line {number}: {exc}", HINT) from None
        attrs = {k: str(row[k]) for k in ATTRIBUTES if row.get(k) not in (None, "")}
        out.append(StreamTicket(str(row.get("id", f"line-{number}")), text, received, attrs,
                                row.get("truth") or {}))
    return out


def _csv(path: Path, mapping: dict[str, str]) -> list[StreamTicket]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames or []
        chosen: dict[str, str] = {}
        for key, candidates in DEFAULT_MAP.items():
            if key in mapping:
                if mapping[key] not in columns:
                    raise DatasetError(f"{path} has no column {mapping[key]!r}",
                                       f"its columns: {', '.join(columns)}")
                chosen[key] = mapping[key]
                continue
            found = next((c for c in candidates if c in columns), None)
            if found:
                chosen[key] = found
        for need in ("text", "received_at"):
            if need not in chosen:
                raise DatasetError(f"{path}: no {need} column (columns: {', '.join(columns)})",
                                   f"name it with --map {need}=COLUMN")
        out = []
        for row in reader:
            text = (row.get(chosen["text"]) or "").strip()
            try:
                received = parse_day(row.get(chosen["received_at"]) or "")
            except ValueError as exc:
                raise DatasetError(f"{path}, line {reader.line_num}: {exc}", HINT) from None
            attrs = {k: row[c].strip() for k, c in chosen.items()
                     if k in ATTRIBUTES and (row.get(c) or "").strip()}
            out.append(StreamTicket(str(row.get(chosen.get("id", ""), "") or
                                        f"line-{reader.line_num}"), text, received, attrs))
    if not any(t.text for t in out):
        raise DatasetError(f"{path}: no ticket with text", HINT)
    return out

"""Labelled CSV datasets (columns ``text,category``) for training and evaluating intents."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from assistant.datafiles import jsonl_lines
from assistant.errors import DatasetError

REQUIRED_COLUMNS = ("text", "category")


@dataclass(frozen=True)
class LabelledData:
    texts: list[str]
    labels: list[str]
    sha256: str
    path: Path
    # Other labels a ticket may fairly get (multi-topic tickets of a JSONL set), per row.
    also: list[tuple[str, ...]] | None = None

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_labelled(path: Path) -> LabelledData:
    """A labelled set for evaluation: a ``text,category`` CSV, or JSON Lines of
    ``{"text", "intent" (or "category"), "intent_also": [...]?}`` (the realistic sets)."""
    path = Path(path)
    if path.suffix.lower() != ".jsonl":
        return load_labelled_csv(path)
    if not path.is_file():
        raise DatasetError(f"dataset {path} does not exist",
                           "pass --data with an existing CSV or JSON Lines file")
    texts: list[str] = []
    labels: list[str] = []
    also: list[tuple[str, ...]] = []
    for number, line in jsonl_lines(path, DatasetError):
        try:
            row = json.loads(line)
            label = row.get("intent") or row.get("category")
            if not isinstance(row.get("text"), str) or not row["text"].strip() or not label:
                raise ValueError('needs a non-empty "text" and an "intent"')
        except (ValueError, AttributeError) as exc:
            raise DatasetError(f"{path}, line {number}: not a labelled ticket ({exc})",
                               'each line needs {"text": ..., "intent": ...}') from None
        texts.append(row["text"].strip())
        labels.append(str(label))
        also.append(tuple(str(x) for x in row.get("intent_also") or ()))
    if not texts:
        raise DatasetError(f"{path} is empty", "add one JSON object per line")
    return LabelledData(texts=texts, labels=labels, sha256=file_sha256(path), path=path,
                        also=also)


def load_labelled_csv(path: Path, min_per_class: int = 1) -> LabelledData:
    """Read a ``text,category`` CSV, naming the file and line of any problem."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(
            f"dataset {path} does not exist",
            "pass --data with the path of a CSV that has the columns text,category",
        )
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in (reader.fieldnames or [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in columns]
            if missing:
                raise DatasetError(
                    f"{path} lacks the column(s) {', '.join(missing)} "
                    f"(found: {', '.join(columns) or 'no header'})",
                    "the first line must be a header naming the columns text and category, "
                    "e.g. `text,category`",
                )
            reader.fieldnames = columns
            texts: list[str] = []
            labels: list[str] = []
            for row in reader:
                text = (row.get("text") or "").strip()
                label = (row.get("category") or "").strip()
                if not text or not label:
                    raise DatasetError(
                        f"{path}, line {reader.line_num}: empty "
                        f"{'text' if not text else 'category'}",
                        "every row needs a non-empty text and category; fix or delete the row",
                    )
                texts.append(text)
                labels.append(label)
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})",
            "re-save the CSV as UTF-8",
        ) from None
    except csv.Error as exc:
        raise DatasetError(f"{path} is not valid CSV: {exc}", "check quoting on that line") from None

    counts = Counter(labels)
    if len(counts) < 2:
        raise DatasetError(
            f"{path} has {len(counts)} distinct categor{'y' if len(counts) == 1 else 'ies'}; "
            "a classifier needs at least 2",
            "add examples for more categories",
        )
    thin = sorted(label for label, n in counts.items() if n < min_per_class)
    if thin:
        raise DatasetError(
            f"{path}: categories with fewer than {min_per_class} examples: "
            + ", ".join(thin[:10])
            + (" ..." if len(thin) > 10 else ""),
            f"give each category at least {min_per_class} examples, or merge the thin ones",
        )
    return LabelledData(texts=texts, labels=labels, sha256=file_sha256(path), path=path)

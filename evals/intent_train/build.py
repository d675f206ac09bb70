"""Build the intent classifier's training CSV: BANKING77's train split plus the realistic,
multi-sentence tickets written for the team (``realistic_*.jsonl``).

    python evals/intent_train/build.py          # writes evals/intent_train/train.csv

``train.csv`` is committed (the default ``ASSISTANT_INTENT_TRAIN_CSV``); a unit test fails
when it no longer matches its sources, so edit the sources and rebuild, never the CSV.
None of these tickets is in an evaluation set (BANKING77 test, evals/realistic/,
evals/clocks/, evals/drafting/).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
BANKING77_TRAIN = HERE.parent / "datasets" / "banking77" / "train.csv"
OUTPUT = HERE / "train.csv"


def rows() -> list[tuple[str, str]]:
    with BANKING77_TRAIN.open(newline="", encoding="utf-8") as fh:
        out = [(r["text"].strip(), r["category"].strip()) for r in csv.DictReader(fh)]
    for part in sorted(HERE.glob("realistic_*.jsonl")):
        for line in part.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                out.append((" ".join(row["text"].split()), row["category"]))
    return out


def render() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["text", "category"])
    writer.writerows(rows())
    return buffer.getvalue()


if __name__ == "__main__":
    OUTPUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUTPUT} ({len(rows()):,} rows)")

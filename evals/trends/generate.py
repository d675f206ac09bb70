"""Write the seeded trend-evaluation stream as JSON Lines (what `assistant eval trends` runs
on in memory):

    python evals/trends/generate.py [--seed 2025] [--weeks 52] [--scale 1.0] > stream.jsonl

`--scale 4.84` gives about 100,000 tickets, the volume `assistant eval trends` runs at. Each line has
`truth` (the planted labels); `assistant trends` ignores it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from assistant.evaluation.trends import generate_stream  # noqa: E402

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    tickets, _ = generate_stream(args.seed, args.weeks, args.scale)
    for t in tickets:
        print(json.dumps({"id": t.id, "text": t.text, "received_at": t.received.isoformat(),
                          **t.attributes, "truth": t.truth}))

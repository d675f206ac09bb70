"""How many of 20 drafts by a real local model (SmolLM2-135M-Instruct behind llama.cpp's
OpenAI-compatible server) pass the grounding check, and what was caught.

    .venv/bin/python scripts/measure_local_llm.py [--n 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import get_settings  # noqa: E402
from assistant.drafting.llm import OpenAICompatibleWriter  # noqa: E402
from assistant.drafting.local_model import MODEL_NAME, llama_server  # noqa: E402
from assistant.drafting.prompts import load_prompt  # noqa: E402
from assistant.drafting.service import Drafter  # noqa: E402
from assistant.runtime import get_drafter  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in
            (ROOT / "evals/drafting/tickets.jsonl").read_text().splitlines() if line.strip()]
    base = get_drafter()
    out = Counter()
    caught: Counter[str] = Counter()
    seconds = []
    with llama_server() as url:
        settings = get_settings().model_copy(update={
            "llm_base_url": url, "llm_model": MODEL_NAME, "llm_timeout_s": 240.0,
            "llm_max_retries": 0, "llm_max_tokens": 500})
        writer = OpenAICompatibleWriter(settings, load_prompt("llm_writer"))
        drafter = Drafter(base.triager, base.chunks, base.playbooks, base.prompts,
                          base.grounder, base.calendar, writer)
        for row in rows[: args.n]:
            started = time.perf_counter()
            r = drafter.draft(row["text"], date.fromisoformat(row["received_at"]), "llm")
            seconds.append(time.perf_counter() - started)
            if r.writer == "llm":
                out["llm_reply_passed_grounding"] += 1
            elif "failed the grounding" in r.writer_note:
                out["caught_by_grounding"] += 1
                for part in r.writer_note.split("(", 1)[-1].split("; "):
                    caught[part.split(":", 1)[0].strip()] += 1
            else:
                out["llm_call_failed"] += 1
                caught[r.writer_note.split("(", 1)[-1][:60]] += 1
    report = {"drafts": len(seconds), **out, "caught_kinds": dict(caught.most_common()),
              "seconds_p50": round(sorted(seconds)[len(seconds) // 2], 1)}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()

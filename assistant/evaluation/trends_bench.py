"""`assistant bench-trends`: how long ``assistant trends`` takes on a large stream, cold and
on a re-run with one new week, and how much memory it needs.

The stream is the seeded evaluation stream (`evals/trends/generate.py`) scaled to the
asked size; the first run sees every week but the last with an empty triage cache, the
second sees all of them with the cache the first run filled. Each run is the real CLI in a
child process, so its wall time includes loading the models and its peak resident memory
(from ``wait4``) is the process's own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

from assistant.errors import AssistantError
from assistant.evaluation.load import machine
from assistant.evaluation.trends import generate_stream

# Targets of the trends issue: a cold 100k run, a re-run with one new week, peak memory.
COLD_SECONDS, RERUN_SECONDS, PEAK_MB = 600.0, 60.0, 4096.0


class TrendsBenchError(AssistantError):
    pass


def _write(tickets: list[Any], path: Path) -> None:
    # The stream reuses BANKING77's few thousand queries; the ticket's own reference makes
    # every text unique, so the cache saves nothing a real stream would not let it save.
    with path.open("w", encoding="utf-8") as fh:
        for t in tickets:
            fh.write(json.dumps({"id": t.id, "text": f"{t.text} (ref {t.id})",
                                 "received_at": t.received.isoformat(), **t.attributes}) + "\n")


def _run(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        # wait4, not getrusage(RUSAGE_CHILDREN): the peak of this child, not of all so far
        pid = subprocess.Popen(args, stdout=out, stderr=err, env=env).pid
        _, status, usage = os.wait4(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if code != 0:
        raise TrendsBenchError(f"`assistant trends` failed ({code}): "
                               f"{stderr.strip()[-800:]}",
                               "run the printed command by hand to see the whole error")
    analysis = json.loads(stdout)
    return {"seconds": round(seconds, 1),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
            "tickets": analysis["tickets"], "triaged_now": analysis["triaged_now"],
            "spikes": len(analysis["spikes"]), "emerging": len(analysis["emerging"])}


def run_trends_bench(target: int = 100_000, seed: int = 2025,
                     env: dict[str, str] | None = None,
                     progress: Callable[[str], None] = lambda _m: None) -> dict[str, Any]:
    """Generate the stream, run the cold analysis and the one-new-week re-run."""
    per_unit = len(generate_stream(seed, 52, 1.0)[0])
    tickets, _ = generate_stream(seed, 53, target / per_unit)
    last_week = tickets[-1].received - timedelta(days=6)
    base = [t for t in tickets if t.received < last_week]
    with tempfile.TemporaryDirectory(prefix="assistant-trends-bench-") as tmp:
        root = Path(tmp)
        _write(base, root / "base.jsonl")
        _write(tickets, root / "full.jsonl")
        env = {**(os.environ if env is None else env), "ASSISTANT_LOG_LEVEL": "warning"}
        command = [sys.executable, "-m", "assistant", "trends", "--cache",
                   str(root / "cache.sqlite"), "--json"]
        progress(f"cold run over {len(base):,} tickets (triage included)")
        cold = _run(command + ["--input", str(root / "base.jsonl"),
                               "--report", str(root / "report.html")], env)
        progress(f"re-run over {len(tickets):,} tickets ({len(tickets) - len(base):,} new)")
        rerun = _run(command + ["--input", str(root / "full.jsonl")], env)
    return {
        "machine": machine(),
        "cold": cold, "rerun_one_new_week": rerun, "new_tickets": len(tickets) - len(base),
        "targets": {"cold_seconds": COLD_SECONDS, "rerun_seconds": RERUN_SECONDS,
                    "peak_rss_mb": PEAK_MB},
        # triage is linear in the tickets: a smaller run is judged on its projection
        "cold_seconds_per_100k": round(cold["seconds"] * 100_000 / cold["tickets"], 1),
        "met": {"cold": cold["seconds"] * max(1.0, 100_000 / cold["tickets"]) <= COLD_SECONDS,
                "rerun": rerun["seconds"] <= RERUN_SECONDS,
                "memory": max(cold["peak_rss_mb"], rerun["peak_rss_mb"]) <= PEAK_MB},
    }

"""One run of a suite as the CLI and the API start it: run, gate against a baseline, write
the run JSON, the HTML report and the Markdown summary."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.evaluation.suites.gate import apply_gates, load_run
from assistant.evaluation.suites.report import render_html, render_markdown
from assistant.evaluation.suites.runner import run_suite
from assistant.evaluation.suites.schema import Suite


def versions(drafter: Any) -> dict[str, str]:
    """What a run's figures depend on, so two runs can be compared knowingly."""
    out = {
        "prompts": str(drafter.prompts.version),
        "playbooks": str(drafter.playbooks.version),
        "policy": str(drafter.triager.escalation.policy.version),
        "intent_model": str(drafter.triager.classifier.meta.get("created_at", "unknown")),
    }
    ids = getattr(drafter.chunks, "chunk_ids", None)
    if callable(ids):
        chunk_ids = sorted(ids())
        out["index"] = (f"{len(chunk_ids)} chunks "
                        + hashlib.sha256("\n".join(chunk_ids).encode()).hexdigest()[:10])
    if getattr(drafter, "llm", None) is not None:
        out["llm"] = str(getattr(drafter.llm, "model", "configured"))
    return out


def execute(
    suite: Suite,
    drafter: Any,
    runs_dir: Path,
    baseline_path: Path | None = None,
    report_path: Path | None = None,
    run_path: Path | None = None,
    workers: int = 2,
    judge: Any = None,
    progress: Callable[[int], None] = lambda _n: None,
    keep: Sequence[str] = (),
) -> tuple[dict[str, Any], dict[str, Any], Path]:
    baseline = load_run(baseline_path) if baseline_path else None
    run = run_suite(suite, drafter, workers=workers, judge=judge, progress=progress,
                    versions=versions(drafter), keep=keep)
    gate = apply_gates(run, baseline)
    run["gate"] = gate
    run["baseline"] = str(baseline_path) if baseline_path else None
    if run_path is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        run_path = runs_dir / f"{suite.name}-{stamp}.json"
    run_path.parent.mkdir(parents=True, exist_ok=True)
    run_path.write_text(json.dumps(run, indent=1, default=str), encoding="utf-8")
    if report_path is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(render_html(run, gate), encoding="utf-8")
    run_path.with_suffix(".md").write_text(render_markdown(run, gate, str(run_path)),
                                           encoding="utf-8")
    return run, gate, run_path

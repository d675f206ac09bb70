"""Suite runs started through the service: stored in the database (`eval_runs`), run one at
a time in a background thread, read back by id. A run's record holds only what the run JSON
holds, which is redacted."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Sequence

from assistant.errors import NotFoundError, SuiteError
from assistant.evaluation.suites.schema import Suite, load_suite, parse_suite
from assistant.store.db import session
from assistant.store.models import EvalRun, utcnow


class EvalRuns:
    def __init__(self, url: str, drafter: Any, suites_dir: Path, runs_dir: Path,
                 keep: Sequence[str] = ()) -> None:
        self.url = url
        self.drafter = drafter
        self.suites_dir = suites_dir
        self.runs_dir = runs_dir
        self.keep = list(keep)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="eval-run")
        self._lock = threading.Lock()

    def suites(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted(self.suites_dir.glob("*.yaml")):
            try:
                suite = load_suite(path)
            except SuiteError as exc:
                out.append({"file": path.name, "error": exc.message})
                continue
            out.append({"file": path.name, "name": suite.name, "cases": len(suite.cases),
                        "description": suite.description, "owner": suite.owner})
        return out

    def resolve(self, name: str | None, yaml_text: str | None) -> Suite:
        if yaml_text:
            return parse_suite(yaml_text, "<posted suite>")
        for path in sorted(self.suites_dir.glob("*.yaml")):
            if path.stem == name:
                return load_suite(path)
        raise NotFoundError(f"no suite called {name!r}",
                            "GET /v1/evals/suites lists them, or post the suite's YAML")

    def start(self, suite: Suite, user_id: int | None, baseline: str | None = None) -> str:
        base_json = self.get(baseline)["run"] if baseline else None
        if baseline and not base_json:
            raise SuiteError(f"run {baseline} has not finished", "wait for it, or pick another")
        run_id = uuid.uuid4().hex
        with session(self.url) as s:
            s.add(EvalRun(id=run_id, suite=suite.name, status="running", created_by=user_id))
        self._pool.submit(self._execute, run_id, suite, base_json)
        return run_id

    def _execute(self, run_id: str, suite: Suite, base_json: dict[str, Any] | None) -> None:
        import json

        from assistant.evaluation.suites.service import execute

        baseline_path = None
        if base_json:
            baseline_path = self.runs_dir / f"baseline-{run_id}.json"
            baseline_path.parent.mkdir(parents=True, exist_ok=True)
            baseline_path.write_text(json.dumps(base_json, default=str), encoding="utf-8")
        try:
            run, gate, path = execute(suite, self.drafter, self.runs_dir, baseline_path,
                                      self.runs_dir / f"{run_id}.html",
                                      self.runs_dir / f"{run_id}.json", keep=self.keep)
            record = json.loads(path.read_text(encoding="utf-8"))
            with session(self.url) as s:
                row = s.get(EvalRun, run_id)
                row.status, row.finished_at = "done", utcnow()
                row.summary = {**run["summary"], "verdict": gate["verdict"]}
                row.run = record
        except Exception as exc:  # the run failed: say so on the record, keep the service up
            with session(self.url) as s:
                row = s.get(EvalRun, run_id)
                row.status, row.finished_at = "failed", utcnow()
                row.error = f"{type(exc).__name__}: {getattr(exc, 'message', str(exc))[:500]}"

    def get(self, run_id: str) -> dict[str, Any]:
        with session(self.url) as s:
            row = s.get(EvalRun, run_id)
            if row is None:
                raise NotFoundError(f"no evaluation run {run_id}",
                                    "GET /v1/evals/runs lists the runs")
            return {"id": row.id, "suite": row.suite, "status": row.status,
                    "started_at": row.started_at.isoformat(),
                    "finished_at": row.finished_at.isoformat() if row.finished_at else None,
                    "summary": row.summary or {}, "error": row.error, "run": row.run or None}

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        from sqlalchemy import select

        with session(self.url) as s:
            rows = s.scalars(select(EvalRun).order_by(EvalRun.started_at.desc()).limit(limit))
            return [{"id": r.id, "suite": r.suite, "status": r.status,
                     "started_at": r.started_at.isoformat(),
                     "pass_rate": (r.summary or {}).get("pass_rate"),
                     "verdict": (r.summary or {}).get("verdict")} for r in rows]

    def report_path(self, run_id: str) -> Path:
        self.get(run_id)
        return self.runs_dir / f"{run_id}.html"

"""Trainers start suite runs and read their results and reports (role trainer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field, model_validator

from api.deps import EvalRunsDep, SettingsDep, WorkflowDep
from api.errors import ErrorResponse
from api.security import role
from assistant.store.keys import Principal

router = APIRouter(prefix="/v1/evals", tags=["evaluation"])
ERRORS = {code: {"model": ErrorResponse} for code in (401, 403, 404, 413, 422, 429, 503)}


class StartRun(BaseModel):
    suite: str | None = Field(default=None, max_length=100,
                              description="A shipped suite by file name, e.g. card-disputes.")
    suite_yaml: str | None = Field(default=None, max_length=500_000,
                                   description="Or the suite itself, as YAML.")
    baseline: str | None = Field(default=None, max_length=32,
                                 description="An earlier run's id: diff and gate against it.")

    @model_validator(mode="after")
    def _one(self) -> "StartRun":
        if bool(self.suite) == bool(self.suite_yaml):
            raise ValueError("give either `suite` (a shipped suite's name) or `suite_yaml`")
        return self

    model_config = {"json_schema_extra": {"examples": [{"suite": "card-disputes"}]}}


@router.get("/suites", responses=ERRORS)
async def suites(runs: EvalRunsDep, caller: Annotated[Principal, role("evals")]) -> dict[str, Any]:
    """The shipped suites (evals/suites/*.yaml)."""
    return {"suites": await run_in_threadpool(runs.suites)}  # type: ignore[attr-defined]


@router.post("/runs", status_code=202, responses=ERRORS)
async def start(body: StartRun, runs: EvalRunsDep,
                caller: Annotated[Principal, role("evals")]) -> dict[str, Any]:
    """Start a run (it runs in the background); poll GET /v1/evals/runs/{id}."""
    suite = await run_in_threadpool(runs.resolve, body.suite, body.suite_yaml)  # type: ignore[attr-defined]
    run_id = await run_in_threadpool(runs.start, suite, caller.user_id, body.baseline)  # type: ignore[attr-defined]
    return {"id": run_id, "status": "running", "suite": suite.name,
            "cases": len(suite.cases)}


@router.get("/runs", responses=ERRORS)
async def recent(runs: EvalRunsDep, caller: Annotated[Principal, role("evals")]) -> dict[str, Any]:
    return {"runs": await run_in_threadpool(runs.recent)}  # type: ignore[attr-defined]


@router.get("/runs/{run_id}", responses=ERRORS)
async def get_run(run_id: str, runs: EvalRunsDep,
                  caller: Annotated[Principal, role("evals")]) -> dict[str, Any]:
    """Status, summary (pass rate, escalation matrix, gates) and, when done, the run JSON."""
    return await run_in_threadpool(runs.get, run_id)  # type: ignore[attr-defined]


@router.get("/runs/{run_id}/report", responses=ERRORS, response_class=FileResponse)
async def report(run_id: str, runs: EvalRunsDep,
                 caller: Annotated[Principal, role("evals")]) -> FileResponse:
    """The self-contained HTML report of a finished run."""
    path = await run_in_threadpool(runs.report_path, run_id)  # type: ignore[attr-defined]
    from assistant.errors import NotFoundError

    if not path.is_file():
        raise NotFoundError(f"run {run_id} has no report yet", "wait until its status is done")
    return FileResponse(path, media_type="text/html")


trends_router = APIRouter(prefix="/v1/trends", tags=["trends"])


@trends_router.get("", responses=ERRORS)
async def trends(workflow: WorkflowDep, settings: SettingsDep,
                 caller: Annotated[Principal, role("trends")],
                 since: dt.date | None = None, until: dt.date | None = None,
                 by: Literal["day", "week", "month"] = "week",
                 false_alarms: Annotated[float, Query(
                     gt=0, le=50, description="Spike false-alarm budget: alarms per 100 "
                     "series-weeks when nothing changed.")] = 1.0) -> dict[str, Any]:
    """Volumes, spikes, emerging groups, root-cause hints, deflection candidates and clocks
    met and missed, over the stored cases (redacted)."""
    from assistant.trends.service import stored_trends

    return await run_in_threadpool(stored_trends, workflow,
                                   settings.data_dir / "trends-cache.sqlite", since, until, by,
                                   false_alarms)

"""Dependencies that hand routes the objects built in the lifespan (overridable in tests)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.config import Settings
from assistant.errors import IndexNotReadyError, ModelNotReadyError
from assistant.drafting.service import Drafter
from assistant.workflow.cases import Workflow
from assistant.kb.retrieval import Retriever
from assistant.triage.service import Triager


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def _loaded(request: Request, name: str, error: type[ModelNotReadyError], what: str,
            fix: str) -> object:
    """``app.state.<name>`` as the lifespan built it, or a 503 saying why it is missing."""
    value = getattr(request.app.state, name, None)
    if value is None:
        reason = getattr(request.app.state, f"{name}_error", "unknown reason")
        raise error(f"the {what} is not loaded: {reason}", f"{fix} and restart the service")
    return value


def get_triager(request: Request) -> Triager:
    return _loaded(  # type: ignore[return-value]
        request, "triager", ModelNotReadyError, "intent classifier",
        "run `assistant train` (or `make run`)",
    )


def get_retriever(request: Request) -> Retriever:
    return _loaded(  # type: ignore[return-value]
        request, "retriever", IndexNotReadyError, "knowledge-base index",
        "run `assistant kb ingest` (or `make run`)",
    )


def get_drafter(request: Request) -> object:
    return _loaded(
        request, "drafter", ModelNotReadyError, "drafter (classifier and index)",
        "run `assistant train` and `assistant kb ingest` (or `make run`)",
    )


def get_workflow(request: Request) -> object:
    return _loaded(
        request, "workflow", ModelNotReadyError, "case workflow (classifier, index, database)",
        "run `make run` (it trains, indexes and migrates what is missing)",
    )


def get_eval_runs(request: Request) -> object:
    return _loaded(
        request, "eval_runs", ModelNotReadyError, "evaluation runner (drafter and database)",
        "run `make run` (it trains, indexes and migrates what is missing)",
    )


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
TriagerDep = Annotated[Triager, Depends(get_triager)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]
DrafterDep = Annotated[Drafter, Depends(get_drafter)]
WorkflowDep = Annotated[Workflow, Depends(get_workflow)]
EvalRunsDep = Annotated[object, Depends(get_eval_runs)]

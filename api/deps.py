"""Dependencies that hand routes the objects built in the lifespan (overridable in tests)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.config import Settings
from assistant.errors import IndexNotReadyError, ModelNotReadyError
from assistant.kb.retrieval import Retriever
from assistant.triage.service import Triager


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_triager(request: Request) -> Triager:
    triager = getattr(request.app.state, "triager", None)
    if triager is None:
        raise ModelNotReadyError(
            "the intent classifier is not loaded: "
            + getattr(request.app.state, "triager_error", "unknown reason"),
            "run `assistant train` (or `make run`) and restart the service",
        )
    return triager


def get_retriever(request: Request) -> Retriever:
    retriever = getattr(request.app.state, "retriever", None)
    if retriever is None:
        raise IndexNotReadyError(
            "the knowledge-base index is not loaded: "
            + getattr(request.app.state, "retriever_error", "unknown reason"),
            "run `assistant kb ingest` (or `make run`) and restart the service",
        )
    return retriever


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
TriagerDep = Annotated[Triager, Depends(get_triager)]
RetrieverDep = Annotated[Retriever, Depends(get_retriever)]

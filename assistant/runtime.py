"""Cached factories for the heavy objects; built on first use, never at import time.

The CLI calls these directly; the API calls them in its lifespan and hands the
objects to routes through dependencies, so tests can swap in fakes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.config import Settings, get_settings
from assistant.guards.guard import Guards
from assistant.guards.injection import InjectionDetector
from assistant.guards.pii import PiiDetector
from assistant.intent.classifier import IntentClassifier
from assistant.triage.service import Triager


@lru_cache(maxsize=4)
def _classifier(model_dir: Path, threads: int) -> IntentClassifier:
    return IntentClassifier.load(model_dir, threads=threads)


def get_classifier(settings: Settings | None = None) -> IntentClassifier:
    settings = settings or get_settings()
    return _classifier(settings.intent_model_dir.resolve(), settings.resolved_threads)


def benign_queries(train_csv: Path) -> list[str]:
    """The intent training queries: genuine customer text the injection guard must pass."""
    from assistant.errors import DatasetError
    from assistant.intent.dataset import load_labelled_csv

    try:
        return list(load_labelled_csv(train_csv).texts)
    except DatasetError:
        return []


@lru_cache(maxsize=4)
def _injection_detector(model_dir: Path, train_csv: Path) -> InjectionDetector:
    return InjectionDetector.load_or_train(model_dir, benign_queries(train_csv))


def get_guards(settings: Settings | None = None) -> Guards:
    """PII redaction and injection scoring; the detector trains itself (seconds) if missing."""
    settings = settings or get_settings()
    detector = _injection_detector(
        settings.injection_model_dir.resolve(), settings.intent_train_csv.resolve()
    )
    return Guards(PiiDetector(settings.phone_region), detector)


def get_triager(settings: Settings | None = None) -> Triager:
    settings = settings or get_settings()
    return Triager(get_classifier(settings), get_guards(settings), settings)

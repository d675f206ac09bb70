"""Cached factories for the heavy objects; built on first use, never at import time.

The CLI calls these directly; the API calls them in its lifespan and hands the
objects to routes through dependencies, so tests can swap in fakes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.config import Settings, get_settings
from assistant.intent.classifier import IntentClassifier
from assistant.triage.service import Triager


@lru_cache(maxsize=4)
def _classifier(model_dir: Path, threads: int) -> IntentClassifier:
    return IntentClassifier.load(model_dir, threads=threads)


def get_classifier(settings: Settings | None = None) -> IntentClassifier:
    settings = settings or get_settings()
    return _classifier(settings.intent_model_dir.resolve(), settings.resolved_threads)


def get_triager(settings: Settings | None = None) -> Triager:
    settings = settings or get_settings()
    return Triager(get_classifier(settings), settings)

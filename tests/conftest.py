"""Shared fixtures: a small real intent model trained once per test session.

The model is real (fine-tuned MiniLM, ONNX export, int8 quantisation, lexical
features, temperature) but trained on a subset of BANKING77 so the session stays fast.
"""

from __future__ import annotations

import csv
import os
import random
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from assistant.config import BANKING77_DIR, Settings, load_settings  # noqa: E402

SUBSET_INTENTS = [
    "card_arrival",
    "lost_or_stolen_card",
    "card_payment_not_recognised",
    "pending_transfer",
    "exchange_rate",
    "terminate_account",
]


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a socket to anything but loopback."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and self.family in (socket.AF_INET, socket.AF_INET6):
            if not (host.startswith("127.") or host in ("localhost", "::1")):
                raise RuntimeError(f"test tried to reach {host}: tests touch only loopback")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def _subset(src: Path, dst: Path, per_intent: int, seed: int) -> Path:
    rows = list(csv.DictReader(src.open(encoding="utf-8")))
    rng = random.Random(seed)
    rng.shuffle(rows)
    counts: dict[str, int] = {}
    kept = []
    for row in rows:
        if row["category"] in SUBSET_INTENTS and counts.get(row["category"], 0) < per_intent:
            counts[row["category"]] = counts.get(row["category"], 0) + 1
            kept.append(row)
    with dst.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["text", "category"])
        writer.writeheader()
        writer.writerows(kept)
    return dst


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("data")
    return (
        _subset(BANKING77_DIR / "train.csv", root / "train.csv", per_intent=40, seed=1),
        _subset(BANKING77_DIR / "test.csv", root / "test.csv", per_intent=20, seed=2),
    )


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory, tiny_data: tuple[Path, Path]) -> Settings:
    return load_settings(
        data_dir=tmp_path_factory.mktemp("assistant-data"),
        intent_train_csv=tiny_data[0],
        intent_test_csv=tiny_data[1],
        threads=2,
    )


@pytest.fixture(scope="session")
def trained_model(settings: Settings) -> dict:
    """Train the tiny model once; returns its metadata."""
    from assistant.embeddings import bundled_model_path
    from assistant.intent.training import TrainOptions, train_intent_model

    outcome = train_intent_model(
        data_path=settings.intent_train_csv,
        model_dir=settings.intent_model_dir,
        base_model=bundled_model_path(),
        test_path=settings.intent_test_csv,
        options=TrainOptions(epochs=2, learning_rate=2e-4, holdout_fraction=0.2),
        threads=2,
        progress=False,
        log=lambda _msg: None,
    )
    assert outcome.trained
    return outcome.meta


@pytest.fixture(scope="session")
def triager(settings: Settings, trained_model: dict):
    from assistant.runtime import get_triager

    return get_triager(settings)


# ------------------------------------------------------------------ knowledge base
FRONT = """---
id: {id}
title: {title}
type: policy
version: "{version}"
effective_date: {date}
owner: Tests
---
"""


@pytest.fixture(scope="session")
def kb_encoder(settings: Settings):
    """The retrieval embedder, exported once per session into the test data dir."""
    from assistant.runtime import get_kb_embedder

    return get_kb_embedder(settings)


def small_kb(root: Path) -> Path:
    (root / "policies").mkdir(parents=True, exist_ok=True)
    (root / "policies" / "cards.md").write_text(
        FRONT.format(id="policy/cards", title="Cards", version="1", date="2025-01-01")
        + "# Cards\n\n## Replacement delivery\n\nA new card arrives in 5 to 7 business days.\n\n"
        "## Freezing\n\nFreeze the card in the app when it is lost.\n"
    )
    (root / "policies" / "fees-old.md").write_text(
        FRONT.format(id="policy/fees", title="Fees", version="2025", date="2025-01-01")
        + "## ATM withdrawals\n\nOut-of-network ATM withdrawals cost $2.50.\n"
    )
    (root / "policies" / "fees.md").write_text(
        FRONT.format(id="policy/fees", title="Fees", version="2026", date="2026-07-01")
        + "## ATM withdrawals\n\nOut-of-network ATM withdrawals cost $3.00.\n"
    )
    (root / "transfers.html").write_text(
        '<html><head><meta name="kb:id" content="policy/transfers"><meta name="kb:title" '
        'content="Transfers"><meta name="kb:type" content="policy"><meta name="kb:version" '
        'content="1"><meta name="kb:effective_date" content="2025-01-01"><meta '
        'name="kb:owner" content="Payments"></head><body><h2>Bank transfers</h2><p>Standard '
        "bank transfers take 1 to 3 business days.</p></body></html>"
    )
    (root / "resolutions.jsonl").write_text(
        '{"id": "resolution/r-1", "title": "Card number leaked", "type": "resolution", '
        '"version": "1", "effective_date": "2026-10-01", "owner": "Care", "summary": '
        '"Customer posted card 4111 1111 1111 1111 in chat by mistake.", "reply": "We '
        'replaced your card."}\n'
    )
    return root


@pytest.fixture(scope="session")
def kb_retriever(settings: Settings, kb_encoder, tmp_path_factory: pytest.TempPathFactory):
    """A real retriever (embedded Chroma, BM25) over the small knowledge base."""
    from assistant.guards.pii import PiiDetector
    from assistant.kb.ingest import ingest
    from assistant.kb.retrieval import Retriever
    from assistant.kb.store import open_store

    root = tmp_path_factory.mktemp("kb-session")
    kb = small_kb(root / "kb")
    store = open_store(None, root / "chroma")
    ingest(kb, store, kb_encoder, PiiDetector(), kb)
    return Retriever(store, kb_encoder, PiiDetector())


@pytest.fixture(scope="session")
def real_kb(kb_encoder, tmp_path_factory: pytest.TempPathFactory):
    """A real retriever over the shipped kb/ (what the playbooks and the composer cite)."""
    from assistant.config import PROJECT_ROOT
    from assistant.guards.pii import PiiDetector
    from assistant.kb.ingest import ingest
    from assistant.kb.retrieval import Retriever
    from assistant.kb.store import open_store

    root = tmp_path_factory.mktemp("real-kb")
    store = open_store(None, root / "chroma")
    ingest(PROJECT_ROOT / "kb", store, kb_encoder, PiiDetector(), PROJECT_ROOT / "kb")
    return Retriever(store, kb_encoder, PiiDetector())


@pytest.fixture(scope="session")
def support_model(kb_encoder):
    from assistant.drafting.support import SupportModel

    return SupportModel(kb_encoder)


@pytest.fixture(scope="session")
def drafter(triager, real_kb, support_model):
    """The real drafting pipeline: the tiny intent model, the shipped kb, playbooks and
    prompts, the grounding check on the real embedder; no LLM."""
    from assistant.clocks.calendar import BusinessCalendar
    from assistant.drafting.grounding import Grounder
    from assistant.drafting.playbooks import load_playbooks
    from assistant.drafting.prompts import load_prompt
    from assistant.drafting.service import Drafter

    return Drafter(triager, real_kb, load_playbooks(), load_prompt("composer"),
                   Grounder(support_model), BusinessCalendar("FED"))


# ------------------------------------------------------------------ databases
def _server_missing(what: str, reason: str) -> None:
    """Skip with the reason, except in CI, where a missing server is a failure."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required in CI but unavailable: {reason}")
    pytest.skip(f"{what} unavailable ({reason}); CI runs these tests against it")


@pytest.fixture(scope="session")
def postgres_url():
    """A fresh PostgreSQL database on 127.0.0.1:5432 for this test session, dropped after."""
    import secrets as _secrets

    try:
        import psycopg

        admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                                autocommit=True, connect_timeout=3)
    except Exception as exc:  # no server, no driver
        _server_missing("PostgreSQL on 127.0.0.1:5432", f"{type(exc).__name__}: {exc}"[:200])
    name = f"ea_test_{_secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    from assistant.store.db import engine_for

    engine_for(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}").dispose()
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def redis_url():
    try:
        import redis

        client = redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=2)
        client.ping()
    except Exception as exc:
        _server_missing("Redis on 127.0.0.1:6379", f"{type(exc).__name__}: {exc}"[:200])
    client.flushdb()
    yield "redis://127.0.0.1:6379/15"
    client.flushdb()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):  # type: ignore[no-untyped-def]
    """A migrated, empty database of each kind (every store test runs against both)."""
    from assistant.store.db import upgrade

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'assistant.db'}"
    else:
        base = request.getfixturevalue("postgres_url")
        url = _fresh_schema(base)
    upgrade(url)
    return url


def _fresh_schema(base: str) -> str:
    """A clean database inside the session's PostgreSQL database: drop and recreate the
    public schema (tests of one session run one at a time)."""
    from sqlalchemy import text

    from assistant.store.db import engine_for

    engine = engine_for(base)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return base

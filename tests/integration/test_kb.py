"""Ingest and retrieval on real embeddings and a real Chroma index: embedded by default,
and a real `chroma run` server on loopback when ASSISTANT_CHROMA_URL is set."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.errors import IndexNotReadyError, InputError, VectorStoreError
from assistant.guards.pii import PiiDetector
from assistant.kb.ingest import ingest
from assistant.kb.retrieval import Retriever
from assistant.kb.store import open_store
from tests.conftest import FRONT, small_kb

KB = PROJECT_ROOT / "kb"


def test_ingest_is_incremental_keeps_failed_files_and_drops_removed_ones(
    tmp_path: Path, kb_encoder
) -> None:
    kb = small_kb(tmp_path / "kb")
    store = open_store(None, tmp_path / "chroma")
    pii = PiiDetector()
    first = ingest(kb, store, kb_encoder, pii, kb)
    assert first.skipped == [] and len(first.new) == 5 and first.chunks_embedded == 6
    assert first.pii_redactions == 1 and first.chunks_total == 6

    again = ingest(kb, store, kb_encoder, pii, kb)
    assert again.unchanged == 5 and again.chunks_embedded == 0 and again.new == []

    cards = kb / "policies" / "cards.md"
    cards.write_text(cards.read_text().replace("5 to 7", "4 to 6"))
    (kb / "transfers.html").unlink()
    (kb / "resolutions.jsonl").write_text("{broken\n")  # fails now: its old version stays
    third = ingest(kb, store, kb_encoder, pii, kb)
    # only the edited section is embedded again; the untouched one keeps its vector
    assert third.changed == ["policy/cards@1"] and third.chunks_embedded == 1
    assert third.chunks_reused == 1
    assert third.removed == ["policy/transfers@1"]
    [skipped] = third.skipped
    assert skipped.source == "resolutions.jsonl" and "line 1" in skipped.error
    assert skipped.kept_indexed
    ids, chunks, vectors = store.chunks()
    assert vectors.shape == (len(ids), 384)
    texts = {c.chunk_id: c.text for c in chunks}
    assert "4 to 6" in texts["policy/cards#replacement-delivery"]
    assert "policy/transfers#bank-transfers" not in texts
    # the PII guard ran before storage: the index never saw the card number
    assert "4111" not in texts["resolution/r-1#case"] and "[CARD_1]" in texts["resolution/r-1#case"]

    # ingesting one subfolder touches only that subfolder's documents
    sub = ingest(kb / "policies", store, kb_encoder, pii, kb)
    assert sub.removed == [] and sub.unchanged == 3


def test_hybrid_search_filters_by_type_and_as_of_date(tmp_path: Path, kb_encoder) -> None:
    kb = small_kb(tmp_path / "kb")
    store = open_store(None, tmp_path / "chroma")
    ingest(kb, store, kb_encoder, PiiDetector(), kb)
    retriever = Retriever(store, kb_encoder, PiiDetector())

    [hit] = retriever.search("how long until my replacement card comes", k=1)
    assert hit.chunk.chunk_id == "policy/cards#replacement-delivery"
    assert hit.dense_rank == 1 and hit.bm25_rank == 1

    def atm_fee(day: dt.date) -> str:
        hits = retriever.search("out of network ATM fee", k=1, as_of=day)
        assert hits[0].chunk.chunk_id == "policy/fees#atm-withdrawals"
        return hits[0].chunk.version

    assert atm_fee(dt.date(2026, 3, 15)) == "2025"  # a March transaction: the March schedule
    assert atm_fee(dt.date(2026, 7, 1)) == "2026"
    assert retriever.search("ATM fee", as_of=dt.date(2024, 6, 1), types=["policy"]) == []
    # a precedent is not a rule in force: the date does not hide it
    assert retriever.search("card leaked", types=["resolution"], as_of=dt.date(2024, 1, 1))
    for mode in ("dense", "bm25"):
        assert retriever.search("bank transfer days", k=1, mode=mode)[0].chunk.chunk_id == (
            "policy/transfers#bank-transfers"
        )
    with pytest.raises(InputError, match="empty"):
        retriever.search("   ")
    with pytest.raises(InputError, match="unknown document type"):
        retriever.search("fees", types=["memo"])


def test_retriever_reloads_after_an_ingest(tmp_path: Path, kb_encoder) -> None:
    kb = small_kb(tmp_path / "kb")
    store = open_store(None, tmp_path / "chroma")
    ingest(kb, store, kb_encoder, PiiDetector(), kb)
    retriever = Retriever(store, kb_encoder)
    (kb / "scams.md").write_text(
        FRONT.format(id="policy/scams", title="Scams", version="1", date="2025-01-01")
        + "## Safe account calls\n\nLumen never asks you to move money to a safe account.\n"
    )
    ingest(kb, store, kb_encoder, PiiDetector(), kb)
    assert retriever.refresh(force=True)
    assert retriever.search("safe account", k=1)[0].chunk.chunk_id == "policy/scams#safe-account-calls"


def test_an_empty_index_says_to_ingest(tmp_path: Path, kb_encoder) -> None:
    with pytest.raises(IndexNotReadyError, match="empty") as err:
        Retriever(open_store(None, tmp_path / "chroma"), kb_encoder)
    assert "assistant kb ingest" in err.value.hint


def test_unreachable_chroma_server_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    with pytest.raises(VectorStoreError, match="cannot reach the Chroma server") as err:
        open_store(f"http://127.0.0.1:{port}", tmp_path / "unused")
    assert "chroma run" in err.value.hint
    with pytest.raises(VectorStoreError, match="not an http"):
        open_store("ftp://example", tmp_path / "unused")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path: Path):
    """A real `chroma run` on loopback, stopped after the test."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert exe, "the chroma CLI is installed with chromadb"
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_ingest_and_search_through_a_chroma_server(
    tmp_path: Path, kb_encoder, chroma_server: str
) -> None:
    kb = small_kb(tmp_path / "kb")
    store = open_store(chroma_server, tmp_path / "not-used")
    report = ingest(kb, store, kb_encoder, PiiDetector(), kb)
    assert report.chunks_total == 6 and not (tmp_path / "not-used").exists()
    again = ingest(kb, open_store(chroma_server, tmp_path / "x"), kb_encoder, PiiDetector(), kb)
    assert again.chunks_embedded == 0  # the server kept the index
    retriever = Retriever(open_store(chroma_server, tmp_path / "x"), kb_encoder)
    hits = retriever.search("standard bank transfer", k=3, types=["policy"])
    assert hits[0].chunk.chunk_id == "policy/transfers#bank-transfers"


def test_shipped_kb_meets_the_retrieval_targets(tmp_path: Path, kb_encoder) -> None:
    """The measured figures on the real KB and question set stay above the targets."""
    from assistant.evaluation.retrieval import evaluate_retrieval, load_questions

    store = open_store(None, tmp_path / "chroma")
    report = ingest(KB, store, kb_encoder, PiiDetector(), KB)
    assert report.skipped == [] and report.chunks_total > 150
    result = evaluate_retrieval(Retriever(store, kb_encoder, PiiDetector()), load_questions())
    assert result["n"] >= 80
    assert result["hybrid_recall_at_5"] >= 0.95
    assert result["hybrid_mrr"] >= 0.80
    # fusion must not be worse than either list alone
    assert result["hybrid_recall_at_5"] >= max(result["dense_recall_at_5"], result["bm25_recall_at_5"])


def test_int8_and_fp32_embedders_share_one_index(tmp_path: Path, settings) -> None:
    """Both precisions are exercised whatever this CPU is: the int8 graph is made on first
    use, its vectors stay close to fp32, and chunks embedded in one precision are found
    by queries embedded in the other (the fleet may mix CPUs)."""
    import numpy as np

    from assistant.embeddings import INT8_FILE, ensure_onnx_embedder

    out = settings.embedder_dir
    fp32 = ensure_onnx_embedder("bundled", out, threads=2, precision="fp32")
    int8 = ensure_onnx_embedder("bundled", out, threads=2, precision="int8")
    assert (fp32.precision, int8.precision) == ("fp32", "int8") and (out / INT8_FILE).is_file()
    texts = [
        "A new card arrives in 5 to 7 business days.",
        "We must finish an error investigation within 45 days of the notice, or 90 days "
        "for point-of-sale and foreign transactions, and credit the account provisionally.",
    ]
    cosine = (fp32.encode(texts) * int8.encode(texts)).sum(axis=1)
    assert np.all(cosine > 0.97), cosine

    kb = small_kb(tmp_path / "kb")
    store = open_store(None, tmp_path / "chroma")
    ingest(kb, store, int8, PiiDetector(), kb)
    for queries in (fp32, int8):
        hits = Retriever(store, queries, PiiDetector()).search(
            "when will my replacement card be delivered", k=1, mode="dense"
        )
        assert hits[0].chunk.chunk_id == "policy/cards#replacement-delivery"

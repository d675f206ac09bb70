"""`assistant serve` really starts uvicorn and answers on loopback."""

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from assistant.config import Settings
from assistant.evaluation.load import free_port
from tests.conftest import small_kb


def test_serve_answers_health_triage_and_search(
    settings: Settings, triager, kb_encoder, tmp_path: Path
) -> None:
    # `triager` has trained the intent model and both injection detectors into the
    # session's data dir, so the server only loads them.
    port = free_port()
    env = {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        # The session's data, so the server finds the detectors trained for it.
        "ASSISTANT_INTENT_TRAIN_CSV": str(settings.intent_train_csv),
        "ASSISTANT_INTENT_TEST_CSV": str(settings.intent_test_csv),
        "ASSISTANT_THREADS": "1",
        "ASSISTANT_KB_DIR": str(small_kb(tmp_path / "kb")),
        "ASSISTANT_KB_COLLECTION": "serve-test",
    }
    ingest = subprocess.run(
        [sys.executable, "-m", "assistant", "kb", "ingest", "--no-progress"],
        env=env, capture_output=True, timeout=300,
    )
    assert ingest.returncode == 0, ingest.stderr.decode()
    migrate = subprocess.run([sys.executable, "-m", "assistant", "db", "upgrade"],
                             env=env, capture_output=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr.decode()
    made = subprocess.run(
        [sys.executable, "-m", "assistant", "users", "create", "serve-agent", "--role", "agent",
         "--json"], env=env, capture_output=True, timeout=120,
    )
    assert made.returncode == 0, made.stderr.decode()
    auth = {"Authorization": f"Bearer {json.loads(made.stdout)['key']}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                    health = json.load(response)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    proc.kill()  # reading its output waits for the end of the process
                    output, _ = proc.communicate(timeout=20)
                    raise AssertionError(f"server did not answer in 60 s:\n{output.decode()}")
                time.sleep(0.3)
        assert health["status"] == "ok" and health["kb_chunks"] == 6
        request = urllib.request.Request(
            f"{base}/v1/triage",
            data=json.dumps({"text": "Where is my card? I ordered it two weeks ago"}).encode(),
            headers={"Content-Type": "application/json", **auth},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["intent"] == "card_arrival"
        request = urllib.request.Request(
            f"{base}/v1/kb/search",
            data=json.dumps({"query": "bank transfer days", "k": 1}).encode(),
            headers={"Content-Type": "application/json", **auth},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            hit = json.load(response)["results"][0]
        assert hit["chunk_id"] == "policy/transfers#bank-transfers"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_several_workers_share_the_cores_between_their_inference_threads(monkeypatch) -> None:
    from assistant.cli.serve import worker_threads

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert [worker_threads(n) for n in (1, 2, 3)] == [2, 1, 1]
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert [worker_threads(n) for n in (2, 3, 4)] == [4, 2, 2]

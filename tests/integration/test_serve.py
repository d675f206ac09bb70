"""`assistant serve` really starts uvicorn and answers on loopback."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

from assistant.config import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_health_and_triage(settings: Settings, trained_model: dict) -> None:
    port = free_port()
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(settings.data_dir), "ASSISTANT_THREADS": "1"}
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
                    raise AssertionError(proc.stdout.read().decode() if proc.stdout else "")
                time.sleep(0.3)
        assert health["status"] == "ok"
        request = urllib.request.Request(
            f"{base}/v1/triage",
            data=json.dumps({"text": "Where is my card? I ordered it two weeks ago"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.load(response)["intent"] == "card_arrival"
    finally:
        proc.terminate()
        proc.wait(timeout=20)

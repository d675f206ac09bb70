"""A scripted OpenAI-compatible chat-completions server on loopback.

Each request takes the next step of the script: a reply (`content`, optional
`finish_reason`), an HTTP error (`status`), a delay longer than the client's timeout
(`sleep`), or a raw body (`raw`). The requests it received are kept for assertions.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    def __init__(self, script: list[dict[str, Any]] | None = None) -> None:
        self.script: list[dict[str, Any]] = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.default: dict[str, Any] | None = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:  # keep the test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                owner.requests.append({"path": self.path, "body": body,
                                       "auth": self.headers.get("Authorization")})
                step = owner.script.pop(0) if owner.script else (owner.default or {"status": 500})
                if "sleep" in step:
                    time.sleep(step["sleep"])
                if "status" in step:
                    payload = json.dumps({"error": {"message": "scripted failure"}}).encode()
                    self.send_response(step["status"])
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                raw = step.get("raw")
                if raw is None:
                    raw = json.dumps({
                        "id": "chatcmpl-fake", "object": "chat.completion",
                        "created": int(time.time()), "model": body.get("model", "fake"),
                        "choices": [{"index": 0, "finish_reason": step.get("finish_reason", "stop"),
                                     "message": {"role": "assistant", "content": step["content"]}}],
                        "usage": {"prompt_tokens": 321, "completion_tokens": 123,
                                  "total_tokens": 444},
                    })
                data = raw.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                try:
                    self.wfile.write(data)
                except BrokenPipeError:  # the client gave up (a scripted timeout)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def __enter__(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def answer(reply: str, citations: list[int] | None = None) -> dict[str, Any]:
    """A scripted step: the model answers `reply` in the writer's JSON."""
    return {"content": json.dumps({"reply": reply, "citations": citations or [1]})}

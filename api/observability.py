"""Request ids, structured JSON logs without PII, body limits, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.responses import JSONResponse

log = logging.getLogger("assistant.api")


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Messages carry ids and codes, never ticket text."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key in ("request_id", "route", "method", "status", "ms", "principal"):
            if hasattr(record, key):
                out[key] = getattr(record, key)
        if record.exc_info:
            out["error"] = f"{record.exc_info[0].__name__}"  # type: ignore[union-attr]
        return json.dumps(out, ensure_ascii=False)


def configure_logging(level: str = "info") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("assistant")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "assistant_request_seconds", "Request latency by route", ["route", "method", "status"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.drafts = Gauge("assistant_drafts", "Drafts by status", ["status"], registry=self.registry)
        self.grounding_failures = Counter(
            "assistant_grounding_failures_total", "Drafts and edits that failed the grounding check",
            registry=self.registry)
        self.llm_fallbacks = Counter(
            "assistant_llm_fallbacks_total", "LLM replies replaced by the composer's",
            registry=self.registry)
        self.queue_depth = Gauge("assistant_review_queue_depth", "Drafts waiting for review",
                                 registry=self.registry)
        self.overdue = Gauge("assistant_overdue_cases", "Pending cases past their nearest deadline",
                             registry=self.registry)


class RequestMiddleware:
    """Request id in and out, a size limit on bodies (413), timing and one log line.

    A plain ASGI middleware: Starlette's BaseHTTPMiddleware wraps every response in a
    stream and a task group, which costs more than a triage of a short ticket."""

    def __init__(self, app: Any, max_body: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body = max_body
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = (headers.get(b"x-request-id", b"").decode("latin-1")[:64].strip()
                      or uuid.uuid4().hex[:16])
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        rid = request_id.encode("latin-1")

        async def send_with_id(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid)]
            await send(message)

        try:
            length = headers.get(b"content-length", b"")
            if length.isdigit() and int(length) > self.max_body:
                await _too_large(self.max_body)(scope, receive, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            ms = round((time.perf_counter() - started) * 1000, 1)
            self.metrics.latency.labels(path, scope["method"], str(status)).observe(ms / 1000)
            principal = state.get("principal")
            log.info("request", extra={"request_id": request_id, "route": path,
                                       "method": scope["method"], "status": status, "ms": ms,
                                       "principal": principal.name if principal else None})


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(status_code=413, content={"error": {
        "code": "payload_too_large",
        "message": f"the request body is larger than {limit:,} bytes",
        "hint": "send a shorter ticket (tickets are truncated at 20,000 characters anyway)",
    }})

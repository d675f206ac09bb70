"""Request ids, structured JSON logs without PII, body limits, and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

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


class RequestMiddleware(BaseHTTPMiddleware):
    """Request id in and out, a size limit on bodies (413), timing and one log line."""

    def __init__(self, app: Any, max_body: int, metrics: Metrics) -> None:
        super().__init__(app)
        self.max_body = max_body
        self.metrics = metrics

    async def dispatch(self, request: Request, call_next: Any) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex[:16]
        request.state.request_id = request_id
        started = time.perf_counter()
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > self.max_body:
            response: Response = _too_large(self.max_body)
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        ms = round((time.perf_counter() - started) * 1000, 1)
        self.metrics.latency.labels(path, request.method, str(response.status_code)).observe(ms / 1000)
        response.headers["x-request-id"] = request_id
        principal = getattr(request.state, "principal", None)
        log.info("request", extra={"request_id": request_id, "route": path,
                                   "method": request.method, "status": response.status_code,
                                   "ms": ms, "principal": principal.name if principal else None})
        return response


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse(status_code=413, content={"error": {
        "code": "payload_too_large",
        "message": f"the request body is larger than {limit:,} bytes",
        "hint": "send a shorter ticket (tickets are truncated at 20,000 characters anyway)",
    }})

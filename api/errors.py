"""One JSON error shape for every failure: {"error": {"code", "message", "hint"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import AssistantError

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    code: str
    message: str
    hint: str = ""
    details: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


def _response(status: int, code: str, message: str, hint: str = "",
              details: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorResponse(error=ErrorBody(code=code, message=message, hint=hint, details=details))
    return JSONResponse(status_code=status, content=body.model_dump(exclude_none=True),
                        headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AssistantError)
    async def _assistant_error(_: Request, exc: AssistantError) -> JSONResponse:
        headers = None
        if exc.http_status == 429:
            headers = {"Retry-After": str(getattr(exc, "retry_after", 1))}
        elif exc.http_status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        return _response(exc.http_status, exc.code, exc.message, exc.hint, exc.details, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return _response(
            422, "invalid_request", f"the request body is invalid: {problems}",
            "see the request schema at /docs",
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        hints = {404: "see the API reference at /docs", 405: "see /docs for the methods allowed"}
        return _response(exc.status_code, f"http_{exc.status_code}", str(exc.detail),
                         hints.get(exc.status_code, ""))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return _response(
            500, "internal_error", f"unexpected {type(exc).__name__}",
            "this is a bug; the service log has the details",
        )

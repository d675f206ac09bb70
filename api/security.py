"""Who is calling and what they may do: API keys (one role each), UI sessions, rate limits.

Roles: agent (triage, suggestions), specialist (drafts, review, reveal), trainer (eval runs
and reports), admin (users, ingest; and everything else). 401 without a valid key, 403
for the wrong role, 429 (with Retry-After) past the key's rate limit.
"""

from __future__ import annotations

import time
from typing import Annotated, Callable

from fastapi import Depends, Request
from limits import parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from assistant.errors import AssistantError, AuthError, ForbiddenError
from assistant.store.keys import KeyVerifier, Principal

SESSION_COOKIE = "ea_session"
SESSION_SECONDS = 12 * 3600

PERMISSIONS: dict[str, set[str]] = {
    "triage": {"agent", "specialist", "admin"},
    "intake": {"agent", "specialist", "admin"},
    "review": {"specialist", "admin"},
    "reveal": {"specialist", "admin"},
    "read_cases": {"specialist", "admin"},
    "kb_search": {"agent", "specialist", "trainer", "admin"},
    "kb_ingest": {"admin"},
    "stats": {"specialist", "trainer", "admin"},
    "trends": {"specialist", "trainer", "admin"},
    "evals": {"trainer", "admin"},
    "users": {"admin"},
}


class RateLimitedError(AssistantError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, hint: str, retry_after: int) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after


class RateLimiter:
    """Per-key moving-window limit; in memory, or in Redis shared by workers."""

    def __init__(self, rate: str, redis_url: str | None = None) -> None:
        self.rate = parse(rate)
        self.storage = storage_from_string(redis_url) if redis_url else MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)

    def hit(self, key: str) -> None:
        try:
            allowed = self.limiter.hit(self.rate, key)
        except Exception as exc:  # Redis down: fail open rather than lock everyone out
            import logging

            logging.getLogger(__name__).warning("rate limiter unavailable: %s", type(exc).__name__)
            return
        if not allowed:
            reset, _remaining = self.limiter.get_window_stats(self.rate, key)
            wait = max(1, int(reset - time.time()) + 1)
            raise RateLimitedError(
                f"too many requests for this API key (limit {self.rate})",
                f"wait {wait} s and retry; ask an admin to raise ASSISTANT_RATE_LIMIT",
                wait,
            )


def _key_from(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("x-api-key")


def current_principal(request: Request) -> Principal:
    """The caller, from an API key (Authorization: Bearer, or X-API-Key) or the UI
    session cookie. Raises 401 when there is none."""
    state = request.app.state
    verifier: KeyVerifier | None = getattr(state, "keys", None)
    if verifier is None:
        raise AuthError("the service has no database, so no key can be checked",
                        "set up the database (`assistant db upgrade`) and restart")
    key = _key_from(request)
    if key is None:
        session = getattr(state, "sessions", None)
        cookie = request.cookies.get(SESSION_COOKIE)
        if session is not None and cookie:
            key = session.key_of(cookie)
            # A browser sends the cookie by itself: a change needs the page's CSRF token.
            if key and request.method not in ("GET", "HEAD", "OPTIONS") and not session.csrf_ok(
                cookie, request.headers.get("x-csrf-token")
            ):
                raise ForbiddenError("the request's security token is missing or stale",
                                     "reload the page; scripts send the X-CSRF-Token header")
    principal = verifier.verify(key)
    limiter: RateLimiter | None = getattr(state, "limiter", None)
    if limiter is not None:
        limiter.hit(f"key:{principal.key_id}")
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def allow(permission: str) -> Callable[[Principal], Principal]:
    roles = PERMISSIONS[permission]

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in roles:
            raise ForbiddenError(
                f"the {principal.role} role may not do this ({permission.replace('_', ' ')})",
                f"use a key with one of the roles: {', '.join(sorted(roles))}",
            )
        return principal

    return check


def role(permission: str) -> object:
    """A dependency annotation for routes: `caller: Annotated[Principal, role("review")]`."""
    return Depends(allow(permission))

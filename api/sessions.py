"""UI sessions: the API key a specialist typed, sealed in an HttpOnly, SameSite=Strict
cookie (itsdangerous, keyed by the service secret), with a CSRF token for forms."""

from __future__ import annotations

import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from api.security import SESSION_SECONDS


class Sessions:
    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="ea-ui-session")

    def issue(self, key: str) -> tuple[str, str]:
        """(cookie value, csrf token)."""
        csrf = secrets.token_urlsafe(24)
        return self._serializer.dumps({"k": key, "c": csrf}), csrf

    def _load(self, cookie: str) -> dict[str, str] | None:
        try:
            return self._serializer.loads(cookie, max_age=SESSION_SECONDS)
        except (BadSignature, SignatureExpired):
            return None

    def key_of(self, cookie: str) -> str | None:
        data = self._load(cookie)
        return data.get("k") if data else None

    def csrf_of(self, cookie: str | None) -> str | None:
        data = self._load(cookie) if cookie else None
        return data.get("c") if data else None

    def csrf_ok(self, cookie: str | None, token: str | None) -> bool:
        expected = self.csrf_of(cookie)
        return bool(expected and token and hmac.compare_digest(expected, token))

"""Users and their API keys. A key is shown once; only its argon2id hash is stored.

Verifying argon2 costs tens of milliseconds by design, so a verified key is remembered
in this process (by the SHA-256 of the key) for a few minutes. Whether the key or its
user was revoked is read from the database again once the last check is older than
``RECHECK_SECONDS`` (2 s): a revocation takes effect on every worker within two seconds,
and a burst of requests with one key costs one database read, not one per request.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from assistant.errors import AuthError, ConflictError, InputError, NotFoundError
from assistant.store.db import read_session, session
from assistant.store.models import ApiKey, User, utcnow

ROLES = ("agent", "specialist", "trainer", "admin")
CACHE_SECONDS = 300
RECHECK_SECONDS = 2.0
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user, the role, and the key they used."""

    user_id: int
    name: str
    role: str
    key_id: int


def create_user(url: str, name: str, role: str) -> tuple[User, str]:
    """A new user with a new key; the key is returned once and never again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InputError("a user needs a name of 1-100 characters", "e.g. `assistant users create dana --role specialist`")
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}", f"use one of {', '.join(ROLES)}")
    with session(url) as s:
        if s.scalar(select(User).where(User.name == name)):
            raise ConflictError(f"a user called {name!r} exists", "pick another name, or revoke it first")
        user = User(name=name, role=role)
        s.add(user)
        s.flush()
        key = _new_key(s, user.id)
    return user, key


def issue_key(url: str, name: str) -> str:
    with session(url) as s:
        user = s.scalar(select(User).where(User.name == name, User.revoked_at.is_(None)))
        if user is None:
            raise NotFoundError(f"no active user called {name!r}", "see `assistant users list`")
        return _new_key(s, user.id)


def _new_key(s, user_id: int) -> str:  # type: ignore[no-untyped-def]
    prefix = secrets.token_hex(6)
    key = f"ea_{prefix}_{secrets.token_urlsafe(24)}"
    s.add(ApiKey(user_id=user_id, prefix=prefix, hash=_hasher.hash(key)))
    return key


def revoke_user(url: str, name: str) -> int:
    """Revoke the user and all their keys; returns how many keys were revoked."""
    with session(url) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFoundError(f"no user called {name!r}", "see `assistant users list`")
        now = utcnow()
        user.revoked_at = user.revoked_at or now
        keys = s.scalars(select(ApiKey).where(ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))).all()
        for k in keys:
            k.revoked_at = now
        return len(keys)


def list_users(url: str) -> list[dict[str, object]]:
    with session(url) as s:
        return [
            {"name": u.name, "role": u.role, "created_at": u.created_at.isoformat(),
             "revoked": u.revoked_at is not None}
            for u in s.scalars(select(User).order_by(User.id)).all()
        ]


def user_count(url: str) -> int:
    with session(url) as s:
        return len(s.scalars(select(User.id)).all())


class KeyVerifier:
    """Checks API keys against the database, remembering argon2 results briefly."""

    def __init__(self, url: str, recheck_seconds: float = RECHECK_SECONDS) -> None:
        self.url = url
        self.recheck_seconds = recheck_seconds
        self._cache: dict[str, tuple[int, float]] = {}
        self._checked: dict[str, tuple[Principal, float]] = {}  # digest -> (who, until)
        self._lock = threading.Lock()

    def verify(self, key: str | None) -> Principal:
        if not key or not key.startswith("ea_") or key.count("_") < 2:
            raise AuthError(
                "no valid API key",
                "send `Authorization: Bearer <key>` (create one with `assistant users create`)",
            )
        digest = hashlib.sha256(key.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            recent = self._checked.get(digest)
            if recent is not None and recent[1] > now:
                return recent[0]
            cached = self._cache.get(digest)
        key_id = cached[0] if cached and cached[1] > now else None
        prefix = key.split("_", 2)[1]
        with read_session(self.url) as s:
            row = s.execute(
                select(ApiKey, User).join(User, User.id == ApiKey.user_id).where(
                    ApiKey.prefix == prefix
                )
            ).first()
            if row is None:
                raise AuthError("this API key is not known", "ask an admin for a key")
            api_key, user = row
            if api_key.revoked_at is not None or user.revoked_at is not None:
                raise AuthError("this API key was revoked", "ask an admin for a new key")
            if key_id != api_key.id:
                try:
                    _hasher.verify(api_key.hash, key)
                except (VerificationError, InvalidHashError):
                    raise AuthError("this API key is not valid", "check that it was copied whole") from None
                with self._lock:
                    if len(self._cache) > 10_000:
                        self._cache.clear()
                    self._cache[digest] = (api_key.id, now + CACHE_SECONDS)
            principal = Principal(user.id, user.name, user.role, api_key.id)
        if self.recheck_seconds > 0:
            with self._lock:
                if len(self._checked) > 10_000:
                    self._checked.clear()
                self._checked[digest] = (principal, now + self.recheck_seconds)
        return principal

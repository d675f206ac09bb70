"""Encryption at rest of the placeholder-to-value map (the ticket's PII).

The key comes from ``ASSISTANT_SECRET_KEY`` (any string; a Fernet key is derived from it)
or, on the embedded default, from a key file made once in the data dir with mode 0600.
Losing the key loses the PII of stored tickets, nothing else (their redacted text stays
readable).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from assistant.errors import ConfigError

KEY_FILE = "secret.key"


def _derive(secret: str, purpose: str) -> bytes:
    digest = hashlib.sha256(f"{purpose}\x1f{secret}".encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest)


def secret_from(secret_key: str | None, data_dir: Path) -> str:
    """The service secret: the setting, or the key file (created on first use, 0600)."""
    if secret_key:
        return secret_key
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        token = base64.urlsafe_b64encode(os.urandom(32)).decode()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(token)
    if path.stat().st_mode & 0o077:
        raise ConfigError(
            f"the key file {path} is readable by other users",
            f"run `chmod 600 {path}`",
        )
    return path.read_text(encoding="utf-8").strip()


class Vault:
    """Encrypts and decrypts the PII map; one per process."""

    def __init__(self, secret: str) -> None:
        self._fernet = Fernet(_derive(secret, "pii-map"))
        self.session_key = _derive(secret, "ui-session").decode()

    def seal(self, mapping: dict[str, str]) -> bytes:
        return self._fernet.encrypt(json.dumps(mapping, ensure_ascii=False).encode("utf-8"))

    def open(self, token: bytes) -> dict[str, str]:
        try:
            return json.loads(self._fernet.decrypt(token).decode("utf-8"))
        except InvalidToken:
            raise ConfigError(
                "the stored PII cannot be decrypted with this secret key",
                "use the ASSISTANT_SECRET_KEY (or data-dir secret.key) the ticket was stored with",
            ) from None

"""Shared output helpers for CLI commands: JSON documents and JSON Lines."""

from __future__ import annotations

import json
import sys
from typing import Any

from pydantic import BaseModel


def to_jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def print_json(value: Any, *, lines: bool = False) -> None:
    """One JSON document (indented) or one JSON Lines record (compact)."""
    data = to_jsonable(value)
    if lines:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()

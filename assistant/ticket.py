"""Turning raw user input into ticket text the pipeline can trust to be well-formed.

Bad input never crashes the pipeline: unusable input raises an InputError that says
how to fix it; input that is usable after a repair (over-long, control characters)
is repaired and the repair is reported as a warning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from assistant.errors import InputError
from assistant.guards.sanitize import sanitize

# C0/C1 control characters other than tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Ticket:
    """Ticket text ready for triage, plus what was done to it on the way in."""

    text: str
    original_chars: int
    warnings: list[str] = field(default_factory=list)
    hidden_text: str = ""  # text that was hidden in invisible Unicode tag characters


def decode_ticket(raw: bytes) -> str:
    """Decode bytes as UTF-8, naming the first bad byte when that fails."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"ticket is not valid UTF-8 (bad byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            "re-save the ticket as UTF-8 text; binary files cannot be triaged",
        ) from None


def prepare_ticket(raw: str | bytes, max_chars: int) -> Ticket:
    """Validate and normalise one ticket.

    Raises InputError for empty, whitespace-only or undecodable input and for input
    that is mostly binary; truncates text longer than ``max_chars`` with a warning.
    """
    text = decode_ticket(raw) if isinstance(raw, bytes) else raw
    original_chars = len(text)
    warnings: list[str] = []

    controls = len(_CONTROL.findall(text))
    if controls:
        if controls > max(8, len(text) // 10):
            raise InputError(
                f"ticket looks like binary data ({controls} control characters in "
                f"{len(text)} characters)",
                "send the ticket's text, not a file's raw bytes",
            )
        text = _CONTROL.sub(" ", text)
        warnings.append(f"removed {controls} control character(s)")

    cleaned = sanitize(text)
    text = cleaned.text
    if cleaned.invisible_removed:
        warnings.append(
            f"removed {cleaned.invisible_removed} invisible character(s) "
            "(zero-width, bidi controls or Unicode tags)"
        )
    # NFKC folds look-alike forms (fullwidth digits and letters, ligatures) so that the
    # guards and the classifier see "４１１１" as "4111".
    text = unicodedata.normalize("NFKC", text)
    if not text.strip() and cleaned.invisible_removed:
        raise InputError(
            "ticket contains only invisible characters (zero-width, bidi or Unicode tags)",
            "send the customer's visible message; invisible text is never triaged",
        )
    if not text.strip():
        raise InputError(
            "ticket is empty (no text after removing whitespace)",
            "paste the customer's message; a ticket needs at least one word",
        )
    if len(text) > max_chars:
        text = text[:max_chars]
        warnings.append(
            f"ticket truncated from {original_chars:,} to {max_chars:,} characters; "
            "only the first part was triaged (raise ASSISTANT_MAX_TICKET_CHARS to keep more)"
        )
    return Ticket(
        text=text.strip(),
        original_chars=original_chars,
        warnings=warnings,
        hidden_text=cleaned.hidden_text,
    )


def parse_received_at(value: object, where: str = "received_at") -> date | None:
    """The day a ticket was received, from ``YYYY-MM-DD`` or an ISO date-time; None if unset."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
        except ValueError:
            pass
    raise InputError(
        f"{where} {value!r} is not a date",
        "write it as YYYY-MM-DD (e.g. 2026-11-25) or an ISO date-time",
    )

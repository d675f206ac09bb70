"""Text normalisation shared by the pattern readers (escalation signals, clock facts)."""

from __future__ import annotations

import re

_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def mask_decimal_points(text: str) -> str:
    """``text`` with the decimal point of every number ("$1,842.60") made a comma.

    Same length, so every offset stays valid: patterns that stay within one sentence
    (``[^.!?]``) then read past an amount instead of stopping in the middle of it.
    """
    return _DECIMAL_POINT.sub(",", text)

"""Invisible characters: removed from ticket text, and what they hid is surfaced.

Zero-width characters and bidi controls let a writer split a keyword ("ig\u200bnore")
or reorder what a reader sees; Unicode tag characters (U+E0020-E007E) mirror ASCII and
render as nothing at all, so a whole instruction can be smuggled past a human reviewer
("ASCII smuggling"). A ticket has no legitimate use for any of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Zero-width and joiner characters, soft hyphen, word joiner and invisible operators,
# BOM, bidi embeddings/overrides/isolates, Arabic letter mark, Mongolian vowel separator.
_INVISIBLE = re.compile(
    "[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\ufeff]"
)
# Unicode "tag" characters: U+E0000-E007F (outside the BMP).
_TAGS = re.compile("[\U000e0000-\U000e007f]+")


@dataclass(frozen=True)
class Sanitized:
    text: str
    invisible_removed: int
    hidden_text: str  # ASCII decoded from tag characters, if any


def sanitize(text: str) -> Sanitized:
    """Drop invisible formatting characters; decode and drop Unicode tag characters."""
    hidden: list[str] = []
    removed = 0

    def _decode(match: re.Match[str]) -> str:
        nonlocal removed
        removed += len(match.group())
        chars = (chr(ord(c) - 0xE0000) for c in match.group())
        hidden.append("".join(c for c in chars if " " <= c <= "~"))
        return ""

    if not text.isascii():
        text = _TAGS.sub(_decode, text)
        text, invisible = _INVISIBLE.subn("", text)
        removed += invisible
    return Sanitized(text=text, invisible_removed=removed, hidden_text=" ".join(hidden).strip())

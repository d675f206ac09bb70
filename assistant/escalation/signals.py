"""Escalation signals in ticket text, each with its evidence span.

Two layers: precise patterns (`signals.yaml`), and an embedding matcher that compares
each sentence with the signals' exemplar sentences, so a paraphrase no pattern lists
("money left my account and I have no idea who sent it") is still caught.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Protocol, Sequence

import numpy as np
import yaml

from assistant.escalation.policy import SIGNALS
from assistant.fastregex import guarded
from assistant.textnorm import mask_decimal_points

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")
MAX_EVIDENCE = 200


@dataclass(frozen=True)
class Signal:
    code: str
    evidence: str
    start: int
    end: int
    score: float  # 0-1: how sure the detector is
    source: str  # "pattern" or "exemplar"


@dataclass(frozen=True)
class SignalSpec:
    code: str
    patterns: tuple[re.Pattern[str], ...]
    veto: tuple[re.Pattern[str], ...]
    exemplars: tuple[str, ...]
    # All patterns as one alternation: a single scan tells whether any of them matches,
    # so a signal that is absent (the usual case) costs one pass over the text, not one
    # per pattern (2 MB of junk: 2.2 s instead of 5.3 s over all signals).
    any_pattern: re.Pattern[str] | None = None


@lru_cache(maxsize=1)
def load_specs() -> tuple[SignalSpec, ...]:
    raw = yaml.safe_load(
        resources.files("assistant.escalation").joinpath("signals.yaml").read_text("utf-8")
    )
    unknown = set(raw) - set(SIGNALS)
    if unknown:  # a packaging mistake, not a user error
        raise ValueError(f"signals.yaml defines unknown signals {sorted(unknown)}")
    return tuple(
        SignalSpec(
            code,
            tuple(guarded(re.compile(p, re.IGNORECASE)) for p in body.get("patterns", [])),
            tuple(guarded(re.compile(p, re.IGNORECASE)) for p in body.get("veto", [])),
            tuple(body.get("exemplars", [])),
            guarded(re.compile("|".join(f"(?:{p})" for p in body["patterns"]), re.IGNORECASE))
            if body.get("patterns")
            else None,
        )
        for code, body in raw.items()
    )


class SentenceEncoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int = ...) -> np.ndarray: ...


class ExemplarMatcher:
    """Nearest-exemplar similarity per signal, over L2-normalised sentence embeddings."""

    def __init__(
        self, encoder: SentenceEncoder, specs: Sequence[SignalSpec], threshold: float
    ) -> None:
        self.encoder = encoder
        self.threshold = threshold
        texts = [e for s in specs for e in s.exemplars]
        self.codes = [s.code for s in specs for _ in s.exemplars]
        self.matrix = _normalise(encoder.encode(texts)) if texts else np.zeros((0, 1))

    def match(self, sentences: Sequence[tuple[int, int, str]]) -> list[Signal]:
        if not sentences or not len(self.codes):
            return []
        emb = _normalise(self.encoder.encode([s[2] for s in sentences]))
        sims = emb @ self.matrix.T  # (sentences, exemplars)
        best: dict[str, Signal] = {}
        for (start, end, text), row in zip(sentences, sims):
            j = int(np.argmax(row))
            score = float(row[j])
            code = self.codes[j]
            if score >= self.threshold and (code not in best or score > best[code].score):
                best[code] = Signal(code, text.strip()[:MAX_EVIDENCE], start, end, score, "exemplar")
        return list(best.values())


class SignalDetector:
    def __init__(self, exemplars: ExemplarMatcher | None = None) -> None:
        self.specs = load_specs()
        self.exemplars = exemplars

    def detect(self, text: str) -> list[Signal]:
        """The strongest evidence for each signal found in ``text``."""
        found: dict[str, Signal] = {}
        masked = mask_decimal_points(text)  # "$86.40" ends no sentence; offsets unchanged
        for spec in self.specs:
            hit = self._pattern_hit(spec, masked, text)
            if hit:
                found[spec.code] = hit
        if self.exemplars is not None:
            sentences = [s for s in sentences_of(text) if len(s[2].split()) >= 4]
            for sig in self.exemplars.match(sentences):
                found.setdefault(sig.code, sig)
        return list(found.values())

    @staticmethod
    def _pattern_hit(spec: SignalSpec, text: str, original: str) -> Signal | None:
        """Patterns run on ``text`` (decimal points masked); evidence is ``original``'s."""
        if spec.any_pattern is None or not spec.any_pattern.search(text):
            return None
        # Which pattern gives the evidence stays as written: the first in file order.
        for pattern in spec.patterns:
            for match in pattern.finditer(text):
                if any(_covers(v, text, match) for v in spec.veto):
                    continue
                start, end = _evidence_span(text, match.start(), match.end())
                return Signal(spec.code, original[start:end].strip(), start, end, 0.95, "pattern")
        return None


def sentences_of(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) for each sentence; long ones are cut at 300 characters."""
    out = []
    for m in _SENTENCE.finditer(text):
        if m.group(0).strip():
            out.append((m.start(), min(m.end(), m.start() + 300), m.group(0)[:300]))
    return out


def _covers(veto: re.Pattern[str], text: str, match: re.Match[str]) -> bool:
    lo, hi = max(0, match.start() - 60), min(len(text), match.end() + 60)
    return any(v.start() <= match.start() and v.end() >= match.end() for v in veto.finditer(text, lo, hi))


def _evidence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around a match, or a window of it when the sentence is long."""
    s = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    e_candidates = [i for i in (text.find(c, end) for c in ".!?\n") if i != -1]
    e = min(e_candidates) + 1 if e_candidates else len(text)
    if e - s > MAX_EVIDENCE:
        s = max(s, start - 60)
        e = min(e, max(end, start + MAX_EVIDENCE - 60) + 0)
        e = min(e, s + MAX_EVIDENCE)
    while s < start and text[s].isspace():
        s += 1
    return s, max(e, end)


def _normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)

"""Is a reply's policy sentence supported by the passage it cites?

Two measures, both cheap: the embedding similarity of the sentence to the passage's
closest sentence (the retrieval embedder; passage sentences are embedded once and
cached), and lexical support, the share of the sentence's content words (stemmed) that
the passage contains. A sentence is supported when either passes its threshold, and is
contradicted when it is about the same thing as that closest sentence (similarity above
the threshold) but with the opposite polarity ("you are liable" against "you are not
liable"). The thresholds were chosen on the development pairs of
`evals/drafting/support_pairs.jsonl`; `assistant eval drafting` reports the decision's
precision and recall on the test pairs.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from assistant.clocks.figures import sentences

COSINE_THRESHOLD = 0.72
LEXICAL_THRESHOLD = 0.62

_WORD = re.compile(r"[a-z][a-z'-]+")
_STOP = frozenset(
    """a an the and or but if then than that this these those of to in on at by for with
    from as is are was were be been being it its we our us you your they their them he she
    his her i me my will would can could may might must shall should do does did done has
    have had not no so such any all each every there here what which who whom when where
    why how also only just about into out up down over under again further once very more
    most other some own same too lumen please let know""".split()
)
_NEGATION = re.compile(
    r"(?i)\b(?:not|no|never|cannot|can't|don't|doesn't|isn't|aren't|won't|wasn't|weren't|"
    r"shouldn't|mustn't|without|nor|neither|none|nothing|unauthori[sz]ed|unable|"
    r"ineligible|excluded?|except)\b"
)


class Encoder(Protocol):
    def encode(self, texts: Sequence[str], batch_size: int = 8) -> np.ndarray: ...


@dataclass(frozen=True)
class Support:
    chunk_id: str | None
    sentence: str  # the passage sentence closest to the reply's sentence
    cosine: float
    lexical: float
    contradicted: bool


class Stemmer:
    def __init__(self) -> None:
        import Stemmer as PyStemmer  # PyStemmer, as BM25 uses

        self._stem = PyStemmer.Stemmer("english").stemWords

    def content(self, text: str) -> set[str]:
        words = [w.strip("'-") for w in _WORD.findall(text.lower())]
        return set(self._stem([w for w in words if w and w not in _STOP]))


_CLAUSE = re.compile(r"[;,:]|\s+(?:and|or|but|while|whereas|because|unless)\s+", re.IGNORECASE)


def negated(text: str) -> bool:
    return bool(_NEGATION.search(text))


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


class SupportModel:
    """Scores reply sentences against passages; thread-safe, caches passage vectors."""

    def __init__(
        self,
        encoder: Encoder,
        cosine_threshold: float = COSINE_THRESHOLD,
        lexical_threshold: float = LEXICAL_THRESHOLD,
    ) -> None:
        self.encoder = encoder
        self.cosine_threshold = cosine_threshold
        self.lexical_threshold = lexical_threshold
        self._stemmer = Stemmer()
        self._cache: dict[str, tuple[list[str], np.ndarray, set[str]]] = {}
        self._lock = threading.Lock()

    def _passage(self, key: str, text: str) -> tuple[list[str], np.ndarray, set[str]]:
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        parts = [" ".join(text[s.start : s.end].split()) for s in sentences(text)] or [text]
        vectors = self.encoder.encode(parts)
        entry = (parts, vectors, self._stemmer.content(text))
        with self._lock:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = entry
        return entry

    def score(
        self, claims: Sequence[str], passages: Sequence[tuple[str, str]]
    ) -> list[Support]:
        """For each sentence, its best support among ``passages`` ((chunk id, text))."""
        if not claims:
            return []
        if not passages:
            return [Support(None, "", 0.0, 0.0, False) for _ in claims]
        loaded = [(cid, *self._passage(f"{cid}\x1f{hash(text)}", text)) for cid, text in passages]
        vectors = self.encoder.encode(list(claims))
        out = []
        for sentence, vector in zip(claims, vectors):
            words = self._stemmer.content(sentence)
            best: Support | None = None
            for chunk_id, parts, matrix, stems in loaded:
                sims = matrix @ vector
                i = int(np.argmax(sims))
                cosine = float(sims[i])
                lexical = len(words & stems) / len(words) if words else 0.0
                contradicted = cosine >= self.cosine_threshold and self._opposed(sentence, parts[i])
                candidate = Support(chunk_id, parts[i], round(cosine, 4), round(lexical, 4),
                                    contradicted)
                if best is None or _rank(candidate) > _rank(best):
                    best = candidate
            assert best is not None
            out.append(
                Support(best.chunk_id, best.sentence, best.cosine, best.lexical, best.contradicted)
            )
        return out

    def _opposed(self, claim: str, passage: str) -> bool:
        """The clauses of the two sentences that share the most content words say it with
        opposite polarity ("you do not have to pay" against "you have to pay")."""
        best: tuple[float, bool] = (0.0, False)
        for a in clauses(claim):
            wa = self._stemmer.content(a)
            if not wa:
                continue
            for b in clauses(passage):
                wb = self._stemmer.content(b)
                shared = len(wa & wb)
                if shared < 2:
                    continue
                score = shared / len(wa | wb)
                if score > best[0]:
                    best = (score, negated(a) != negated(b))
        return best[1]

    def supported(self, support: Support) -> bool:
        return not support.contradicted and (
            support.cosine >= self.cosine_threshold or support.lexical >= self.lexical_threshold
        )


def _rank(s: Support) -> float:
    return max(s.cosine, s.lexical)

"""Is a reply's policy sentence supported by the passage it cites?

Measures of a sentence against a passage, all cheap: the embedding similarity to the
passage's closest sentence and to the whole passage (the retrieval embedder; passages are
embedded once and cached), lexical support (the share of the sentence's stemmed content
words the passage contains, overall and in the closest sentence), the content words the
passage lacks, numbers the passage does not state, opposed polarity against the closest
clause ("you are liable" against "you are not liable"), absolute words the passage does
not use ("always", "any", "immediately") and a firm promise where the passage only says
"may". A logistic regression over them (``support_decision.yaml``) gives the probability
that the passage supports the sentence; its weights and threshold are fitted on the
`dev` pairs of `evals/drafting/support_pairs.jsonl` (``assistant eval support --fit``)
and its precision and recall reported on the held-out `test` pairs.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Protocol, Sequence

import numpy as np

from assistant.clocks.figures import sentences

COSINE_THRESHOLD = 0.72  # "about the same thing": where opposed polarity reads as contradiction

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
    contradicted: bool  # opposed polarity to the closest sentence it is about, and rejected
    probability: float = 0.0  # that the passage supports the sentence
    features: tuple[float, ...] = ()


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


_ABSOLUTE = re.compile(
    r"(?i)\b(always|any|all|every|whatever|regardless|guarantee\w*|automatically|immediately|"
    r"only|never|no\s+matter|unlimited|entire|fully|whole)\b"
)
_FIRM = re.compile(r"(?i)\b(will|must|always|shall|have\s+to|has\s+to|need\s+to|required)\b")
_SOFT = re.compile(r"(?i)\b(may|might|can|could|usually|generally|typically|sometimes)\b")
# Dates the reply states are the case's own (checked against the ticket and the clocks as
# claims of their own), never a passage's: they are left out of the support measures.
_DATE = re.compile(
    r"(?i)\b(?:(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?\d{1,2}(?:st|nd|rd|th)?\s+"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)(?:,?\s+\d{4})?\b|\b(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december)\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?\b"
    r"|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b"
)
FEATURES = ("cosine", "cosine_passage", "lexical", "lexical_closest", "novel_words",
            "novel_share", "numbers_stated", "numbers_missing", "opposed_clause",
            "opposed_sentence", "absolute_words", "firm_where_soft")


@dataclass(frozen=True)
class Decision:
    """Logistic regression over :data:`FEATURES` (standardised), with its threshold."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    fitted_on: str = ""

    def probability(self, features: Sequence[float]) -> float:
        z = self.bias + sum(w * (x - m) / (sc or 1.0) for w, x, m, sc in
                            zip(self.weights, features, self.mean, self.scale))
        return float(1.0 / (1.0 + np.exp(-z)))


def decision_path():  # type: ignore[no-untyped-def]
    from pathlib import Path

    return Path(__file__).with_name("support_decision.yaml")


def load_decision(path=None) -> Decision:  # type: ignore[no-untyped-def]
    import yaml

    from assistant.errors import ConfigError

    path = path or decision_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = tuple(raw["features"])
        if names != FEATURES:
            raise ConfigError(f"{path} was fitted on features {names}, the code has {FEATURES}",
                              "refit it: assistant eval support --fit")
        return Decision(tuple(map(float, raw["mean"])), tuple(map(float, raw["scale"])),
                        tuple(map(float, raw["weights"])), float(raw["bias"]),
                        float(raw["threshold"]), str(raw.get("fitted_on", "")))
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot load the support decision {path}: {exc}",
                          "restore it from git, or refit: assistant eval support --fit") from None


class SupportModel:
    """Scores reply sentences against passages; thread-safe, caches passage vectors."""

    def __init__(self, encoder: Encoder, decision: Decision | None = None) -> None:
        self.encoder = encoder
        self.decision = decision or load_decision()
        self._stemmer = Stemmer()
        self._cache: dict[str, tuple[list[str], np.ndarray, set[str], np.ndarray]] = {}
        self._lock = threading.Lock()

    def _passage(self, key: str, text: str) -> tuple[list[str], np.ndarray, set[str], np.ndarray]:
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None:
            return hit
        parts = [" ".join(text[s.start : s.end].split()) for s in sentences(text)] or [text]
        vectors = self.encoder.encode(parts + [" ".join(text.split())])
        entry = (parts, vectors[:-1], self._stemmer.content(text), vectors[-1])
        with self._lock:
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = entry
        return entry

    def features(self, sentence: str, vector: np.ndarray, words: set[str], text: str,
                 parts: list[str], matrix: np.ndarray, stems: set[str],
                 whole: np.ndarray) -> tuple[list[float], int]:
        """The measures of :data:`FEATURES` (``words``: the sentence's stemmed content
        words), and the index of the closest passage sentence."""
        from assistant.drafting.grounding import _numbers

        sims = matrix @ vector
        i = int(np.argmax(sims))
        closest = self._stemmer.content(parts[i])
        novel = len(words - stems)
        said, stated = _numbers(sentence), _numbers(text)
        absolute = {w.lower() for w in _ABSOLUTE.findall(sentence)} - {
            w.lower() for w in _ABSOLUTE.findall(text)}
        firm = bool(_FIRM.search(sentence)) and bool(_SOFT.search(parts[i])) and not _FIRM.search(parts[i])
        return [
            float(sims[i]), float(whole @ vector),
            len(words & stems) / len(words) if words else 0.0,
            len(words & closest) / len(words) if words else 0.0,
            float(novel), novel / len(words) if words else 0.0,
            float(said <= stated), float(len(said - stated)),
            float(self._opposed(sentence, parts[i])), float(negated(sentence) != negated(parts[i])),
            float(len(absolute)), float(firm),
        ], i

    def score(
        self, claims: Sequence[str], passages: Sequence[tuple[str, str]]
    ) -> list[Support]:
        """For each sentence, its best support among ``passages`` ((chunk id, text))."""
        if not claims:
            return []
        if not passages:
            return [Support(None, "", 0.0, 0.0, False) for _ in claims]
        loaded = [(cid, text, *self._passage(f"{cid}\x1f{hash(text)}", text))
                  for cid, text in passages]
        claims = [" ".join(_DATE.sub(" ", c).split()) or c for c in claims]
        vectors = self.encoder.encode(list(claims))
        out = []
        for sentence, vector in zip(claims, vectors):
            words = self._stemmer.content(sentence)
            best: Support | None = None
            for chunk_id, text, parts, matrix, stems, whole in loaded:
                f, i = self.features(sentence, vector, words, text, parts, matrix, stems, whole)
                p = self.decision.probability(f)
                candidate = Support(chunk_id, parts[i], round(f[0], 4), round(f[2], 4),
                                    contradicted=bool(f[8]) and f[0] >= COSINE_THRESHOLD
                                    and p < self.decision.threshold,
                                    probability=round(p, 4), features=tuple(f))
                if best is None or candidate.probability > best.probability:
                    best = candidate
            assert best is not None
            out.append(best)
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
        return support.probability >= self.decision.threshold

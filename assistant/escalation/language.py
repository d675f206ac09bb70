"""Which language a ticket is written in (lingua: accurate on short text, offline).

English tickets are the common case, so a cheap check (share of common English words)
answers most of them without running the detector.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

# Languages a US payments app's customers write in; lingua only decides among these.
LANGUAGES = (
    Language.ENGLISH, Language.SPANISH, Language.GERMAN, Language.FRENCH,
    Language.PORTUGUESE, Language.ITALIAN, Language.DUTCH, Language.POLISH,
    Language.TURKISH, Language.RUSSIAN, Language.UKRAINIAN, Language.CHINESE,
    Language.JAPANESE, Language.KOREAN, Language.ARABIC, Language.HINDI,
    Language.VIETNAMESE, Language.TAGALOG, Language.ROMANIAN,
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_ENGLISH = frozenset(
    "the a an and or but i my me we our you your it is was are were be been have has had "
    "do did does not no to of in on for with from at by this that what why how when can "
    "could would should will please card money account payment transfer refund charged "
    "there they them he she his her if so just still get got need want".split()
)


@dataclass(frozen=True)
class LanguageGuess:
    code: str  # ISO 639-1, "und" when undetermined
    confidence: float


class LanguageIdentifier:
    def __init__(self, detector: LanguageDetector | None = None) -> None:
        self.detector = detector or (
            LanguageDetectorBuilder.from_languages(*LANGUAGES)
            .with_preloaded_language_models()
            .build()
        )

    def identify(self, text: str) -> LanguageGuess:
        words = _WORD.findall(text[:2000].lower())
        if not words:
            return LanguageGuess("und", 0.0)
        english_share = sum(w in _ENGLISH for w in words) / len(words)
        if english_share >= 0.3 and text.isascii():
            return LanguageGuess("en", round(min(1.0, 0.6 + english_share), 3))
        sample = text[:1000]
        values = self.detector.compute_language_confidence_values(sample)
        if not values:
            return LanguageGuess("und", 0.0)
        best = values[0]
        if best.value < 0.5 and len(words) < 3:
            return LanguageGuess("und", round(best.value, 3))  # "hmm", "ok?": no evidence
        if best.language is not Language.ENGLISH and best.value < 0.6:
            # Short, ambiguous text ("Card declined at Walmart"): stay with English when
            # English is a plausible reading, rather than flag a false foreign ticket.
            english = next((v.value for v in values if v.language is Language.ENGLISH), 0.0)
            if english >= 0.1:
                return LanguageGuess("en", round(english, 3))
        return LanguageGuess(best.language.iso_code_639_1.name.lower(), round(best.value, 3))

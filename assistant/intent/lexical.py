"""Lexical features for intents: TF-IDF over words and character n-grams, linear SVM.

The fine-tuned encoder captures meaning; this model captures the exact words and
spellings (``top up`` vs ``top-up``, ``PIN``, ``Apple Pay``) that separate near-identical
BANKING77 intents. Its margins are added to the encoder's logits.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC


def build_lexical_model(c: float = 0.5) -> Pipeline:
    features = FeatureUnion(
        [
            (
                "words",
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, lowercase=True),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    return Pipeline([("features", features), ("svm", LinearSVC(C=c))])


def fit_lexical(texts: Sequence[str], y: np.ndarray, c: float = 0.5) -> Pipeline:
    return build_lexical_model(c).fit(list(texts), y)


def lexical_scores(model: Pipeline, texts: Sequence[str]) -> np.ndarray:
    """One-vs-rest margins, shape (n, classes)."""
    return np.asarray(model.decision_function(list(texts)), dtype=np.float32)

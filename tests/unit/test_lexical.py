import numpy as np

from assistant.intent.lexical import FastLexicalScorer, fit_lexical

TEXTS = [
    "my card has not arrived yet", "where is my new card", "card still not here",
    "I lost my card", "my card was stolen yesterday", "someone took my wallet and card",
    "what is the exchange rate", "how much is a euro in dollars", "exchange rate for GBP",
]
LABELS = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])


def test_fast_scorer_matches_scikit_learn() -> None:
    model = fit_lexical(TEXTS, LABELS)
    queries = ["my card is lost", "rate of exchange to yen?", "", "zzzz unseen words", "CARD!!"]
    expected = model.decision_function(queries)
    got = FastLexicalScorer(model).scores(queries)
    assert np.allclose(got, expected, atol=1e-5)

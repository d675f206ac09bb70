import numpy as np
import pytest

from assistant.intent.neighbours import NearestExamples, restrict_to, top_candidates

RNG = np.random.default_rng(7)
N_CLASSES = 12
EXAMPLES = RNG.normal(size=(120, 16)).astype(np.float32)
LABELS = np.repeat(np.arange(N_CLASSES), 10)
RNG.shuffle(LABELS)


def test_full_scores_are_the_best_cosine_per_class() -> None:
    bank = NearestExamples(EXAMPLES, LABELS, N_CLASSES)
    query = RNG.normal(size=(3, 16)).astype(np.float32)
    unit = EXAMPLES / np.linalg.norm(EXAMPLES, axis=1, keepdims=True)
    q = query / np.linalg.norm(query, axis=1, keepdims=True)
    expected = np.array([[(unit[LABELS == c] @ row).max() for c in range(N_CLASSES)] for row in q])
    assert np.allclose(bank.scores(query), expected, atol=1e-5)


@pytest.mark.parametrize("n", [1, 5, 40])  # the per-slice path and the one-product path
def test_candidate_scores_do_not_depend_on_batch_size(n: int) -> None:
    bank = NearestExamples(EXAMPLES, LABELS, N_CLASSES)
    query = RNG.normal(size=(n, 16)).astype(np.float32)
    candidates = top_candidates(RNG.normal(size=(n, N_CLASSES)), 4)
    got = bank.scores(query, candidates)
    expected = restrict_to(bank.scores(query), candidates)
    assert np.allclose(got, expected, atol=1e-5)
    full = bank.scores(query)
    for row in range(n):
        chosen = set(candidates[row].tolist())
        floor = min(full[row, c] for c in chosen)
        for c in range(N_CLASSES):
            want = full[row, c] if c in chosen else floor
            assert got[row, c] == pytest.approx(want, abs=1e-5)


def test_top_candidates_are_the_highest_logits() -> None:
    logits = np.array([[0.1, 3.0, -1.0, 2.0, 0.5]])
    assert set(top_candidates(logits, 2)[0].tolist()) == {1, 3}
    assert top_candidates(logits, 99).shape == (1, 5)  # k larger than the classes

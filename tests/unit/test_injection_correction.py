import numpy as np

from assistant.guards.injection import InjectionDetector, benign_quantiles


def detector(benign: np.ndarray) -> InjectionDetector:
    obj = InjectionDetector.__new__(InjectionDetector)
    obj._benign_quantiles = np.asarray(benign_quantiles(benign))
    return obj


BENIGN = np.random.default_rng(3).beta(1, 8, size=5000)  # mostly low scores


def test_one_sentence_is_left_alone() -> None:
    p = np.array([0.05, 0.3, 0.6])
    assert np.allclose(detector(BENIGN)._family_wise(p, 1), p)


def test_more_sentences_need_a_stronger_best_sentence() -> None:
    d = detector(BENIGN)
    p = np.array([0.3])
    two, ten = d._family_wise(p, 2)[0], d._family_wise(p, 10)[0]
    assert ten < two < 0.3
    # the corrected score's benign tail is the chance that the best of n benign beats it
    q = (BENIGN >= 0.3).mean()
    assert abs((BENIGN >= ten).mean() - (1 - (1 - q) ** 10)) < 0.02


def test_scores_above_every_benign_score_keep_their_strength() -> None:
    p = np.array([BENIGN.max() + 0.01, 0.999])
    assert np.allclose(detector(BENIGN)._family_wise(p, 20), p)


def test_without_quantiles_nothing_changes() -> None:
    obj = InjectionDetector.__new__(InjectionDetector)
    obj._benign_quantiles = None
    assert np.allclose(obj._family_wise(np.array([0.4]), 9), [0.4])

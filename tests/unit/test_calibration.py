import numpy as np

from assistant.intent.calibration import expected_calibration_error, fit_temperature, nll, softmax


def test_perfectly_calibrated_predictions_have_zero_ece() -> None:
    probs = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert expected_calibration_error(probs, np.array([0, 1])) == 0.0


def test_overconfident_predictions_have_large_ece() -> None:
    # Always 99% sure, right half the time: ECE ~ 0.49.
    probs = np.tile([0.99, 0.01], (100, 1))
    y = np.array([0, 1] * 50)
    assert abs(expected_calibration_error(probs, y) - 0.49) < 1e-6


def test_temperature_scaling_repairs_overconfidence() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, size=2000)
    true_logits = rng.normal(size=(2000, 5))
    true_logits[np.arange(2000), y] += 1.5
    overconfident = true_logits * 4.0
    t = fit_temperature(overconfident, y)
    assert t > 1.5  # overconfident logits need cooling
    assert nll(overconfident, y, t) < nll(overconfident, y, 1.0)
    before = expected_calibration_error(softmax(overconfident), y)
    after = expected_calibration_error(softmax(overconfident, t), y)
    assert after < before / 3

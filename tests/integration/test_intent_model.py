"""The real training path on a BANKING77 subset: fine-tune, export, quantise, calibrate."""

import json
import shutil
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import ModelNotReadyError
from assistant.intent.classifier import IntentClassifier
from assistant.intent.dataset import load_labelled_csv
from assistant.intent.training import TrainOptions, needs_training
from tests.conftest import SUBSET_INTENTS


def test_metadata_records_what_the_model_was_trained_on(trained_model: dict) -> None:
    for key in ("dataset_sha256", "labels", "created_at", "temperature", "holdout", "test"):
        assert key in trained_model
    assert trained_model["labels"] == sorted(SUBSET_INTENTS)
    assert 0.005 < trained_model["temperature"] < 20
    assert trained_model["test"]["n"] == 120


def test_subset_model_actually_learned(trained_model: dict) -> None:
    # Six well-separated intents: chance is 0.17; a working pipeline is far above.
    assert trained_model["test"]["accuracy"] >= 0.8
    assert trained_model["test"]["ece"] < 0.2


def test_model_loads_fast_and_predicts(settings: Settings, trained_model: dict) -> None:
    started = time.perf_counter()
    model = IntentClassifier.load(settings.intent_model_dir)
    assert time.perf_counter() - started < 2.0
    (pred,) = model.predict(["I lost my card yesterday, someone may have stolen it"])
    assert pred.label == "lost_or_stolen_card"
    assert 0.0 < pred.confidence <= 1.0
    assert len(pred.alternatives) == 2


def test_confidences_are_probabilities(settings: Settings, trained_model: dict) -> None:
    model = IntentClassifier.load(settings.intent_model_dir)
    probs = model.predict_proba(["hello", "where is my new card", "close my account now"])
    assert probs.shape == (3, len(SUBSET_INTENTS))
    assert abs(probs.sum(axis=1) - 1).max() < 1e-5


def test_retraining_only_when_the_dataset_changes(
    settings: Settings, trained_model: dict, tmp_path: Path
) -> None:
    options = TrainOptions(epochs=2, learning_rate=2e-4, holdout_fraction=0.2)
    same = load_labelled_csv(settings.intent_train_csv)
    assert not needs_training(settings.intent_model_dir, same, options)
    changed = tmp_path / "changed.csv"
    changed.write_text(settings.intent_train_csv.read_text() + "one more ticket,card_arrival\n")
    assert needs_training(settings.intent_model_dir, load_labelled_csv(changed), options)
    assert needs_training(settings.intent_model_dir, same, TrainOptions(epochs=3))


def test_an_option_added_later_counts_as_its_default(
    settings: Settings, trained_model: dict, tmp_path: Path
) -> None:
    """A model trained before an option existed is not retrained for it."""
    model_dir = tmp_path / "old-model"
    shutil.copytree(settings.intent_model_dir, model_dir)
    meta = json.loads((model_dir / "meta.json").read_text())
    del meta["options"]["encoder_layers"]
    (model_dir / "meta.json").write_text(json.dumps(meta))
    options = TrainOptions(epochs=2, learning_rate=2e-4, holdout_fraction=0.2)
    same = load_labelled_csv(settings.intent_train_csv)
    assert not needs_training(model_dir, same, options)
    assert needs_training(model_dir, same, TrainOptions(epochs=2, learning_rate=2e-4,
                                                         holdout_fraction=0.2, encoder_layers=3))


def test_missing_model_says_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelNotReadyError) as err:
        IntentClassifier.load(tmp_path / "nothing-here")
    assert "assistant train" in err.value.hint


@pytest.mark.parametrize("damage", ["meta", "onnx", "head"])
def test_corrupt_model_files_give_a_clear_error(
    settings: Settings, trained_model: dict, tmp_path: Path, damage: str
) -> None:
    copy = tmp_path / "intent"
    shutil.copytree(settings.intent_model_dir, copy)
    if damage == "meta":
        (copy / "meta.json").write_text("{not json")
    elif damage == "onnx":
        (copy / "encoder.onnx").write_bytes(b"\x00garbage" * 10)
    else:
        (copy / "head.npz").write_bytes(b"PK\x03\x04broken")
    with pytest.raises(ModelNotReadyError) as err:
        IntentClassifier.load(copy)
    assert "assistant train" in err.value.hint


def test_wrong_schema_version_is_refused(
    settings: Settings, trained_model: dict, tmp_path: Path
) -> None:
    copy = tmp_path / "intent"
    shutil.copytree(settings.intent_model_dir, copy)
    meta = json.loads((copy / "meta.json").read_text())
    meta["schema_version"] = 999
    (copy / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(ModelNotReadyError):
        IntentClassifier.load(copy)


def test_a_quantised_encoder_gives_a_text_the_same_vector_alone_and_in_a_batch(
    settings: Settings, trained_model: dict, tmp_path: Path
) -> None:
    """Dynamic int8 scales each activation tensor by its range, so batch-mates (and their
    padding) would move a text's vector, and with it the intent and the escalation."""
    import numpy as np

    from assistant.intent.encoder import ONNX_FILE, TOKENIZER_FILE, OnnxEncoder
    from assistant.quantisation import quantise_int8

    for name in (ONNX_FILE, TOKENIZER_FILE):
        shutil.copy(settings.intent_model_dir / name, tmp_path / name)
    if not trained_model["quantisation"]["used"]:
        (tmp_path / ONNX_FILE).rename(tmp_path / "fp32.onnx")
        quantise_int8(tmp_path / "fp32.onnx", tmp_path / ONNX_FILE)
    texts = ["card?", "I was charged twice for the same coffee at the airport, please help",
             "my transfer to my brother has not arrived and it has been four days now, "
             "the app says completed but his bank has nothing", "pin blocked"]
    alone = np.vstack([OnnxEncoder(tmp_path, threads=1).encode([t]) for t in texts])
    batched = OnnxEncoder(tmp_path, threads=1).encode(texts)
    assert np.abs(batched - alone).max() > 1e-4  # the defect the option exists for
    assert np.array_equal(OnnxEncoder(tmp_path, threads=1, rows_alone=True).encode(texts), alone)
    served = IntentClassifier.load(settings.intent_model_dir)
    assert served.encoder.rows_alone is trained_model["quantisation"]["used"]

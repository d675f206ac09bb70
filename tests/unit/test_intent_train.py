"""The committed training CSV is exactly what its build script makes from its sources, and
shares no ticket with an evaluation set."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _build():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build", ROOT / "evals/intent_train/build.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_train_csv_is_up_to_date() -> None:
    build = _build()
    assert build.OUTPUT.read_text(encoding="utf-8") == build.render(), (
        "evals/intent_train/train.csv is stale: run python evals/intent_train/build.py")


def test_no_training_ticket_is_in_an_evaluation_set() -> None:
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    train = {norm(t) for t, _ in _build().rows()}
    for name in ("realistic/dev.jsonl", "realistic/dev2.jsonl", "realistic/dev3.jsonl",
                 "realistic/dev4.jsonl", "clocks/dev5.jsonl",
                 "realistic/test.jsonl", "clocks/dev4.jsonl",
                 "clocks/test.jsonl",
                 "drafting/tickets.jsonl"):
        for line in (ROOT / "evals" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                assert norm(json.loads(line)["text"]) not in train, name

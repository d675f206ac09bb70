"""``assistant train``: fit the intent classifier on a text,category CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json


def register(app: typer.Typer) -> None:
    app.command("train")(train)


def train(
    data: Annotated[
        Optional[Path],
        typer.Option(
            "--data",
            help="CSV with columns text,category (default: ASSISTANT_INTENT_TRAIN_CSV, "
            "BANKING77 train).",
        ),
    ] = None,
    test: Annotated[
        Optional[Path],
        typer.Option(
            "--test",
            help="Optional held-out CSV to score after training (default: BANKING77 test "
            "when training on BANKING77, none otherwise).",
        ),
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, max=20, help="Fine-tuning epochs.")] = 3,
    learning_rate: Annotated[
        float, typer.Option(min=1e-6, max=1e-2, help="Peak learning rate of the encoder.")
    ] = 1.5e-4,
    holdout: Annotated[
        float,
        typer.Option(
            min=0.05, max=0.5, help="Share of the data held out to calibrate confidence."
        ),
    ] = 0.1,
    encoder_layers: Annotated[
        int,
        typer.Option(
            min=0,
            max=24,
            help="Keep only the bottom N encoder layers (faster serving, a little less "
            "accurate); 0 keeps them all.",
        ),
    ] = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Retrain even if the dataset has not changed.")
    ] = False,
    no_quantise: Annotated[
        bool, typer.Option("--no-quantise", help="Serve the fp32 encoder, not int8.")
    ] = False,
    no_lexical: Annotated[
        bool, typer.Option("--no-lexical", help="Encoder only, without TF-IDF features.")
    ] = False,
    no_neighbours: Annotated[
        bool, typer.Option("--no-neighbours", help="Without nearest-example similarities.")
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the model metadata as JSON.")] = False,
) -> None:
    """Train the intent classifier (fine-tuned MiniLM + lexical + nearest examples, calibrated)
    and make sure the prompt-injection detector and its head on the intent encoder's
    embedding are trained.

    Retrains only when the dataset or the options changed (use --force to retrain
    anyway). The model is written to <data dir>/models/intent with its metadata:
    dataset hash, labels, held-out and test accuracy, ECE and creation time.
    About 10-15 minutes on a 2-core CPU for BANKING77.
    """
    from assistant.config import get_settings
    from assistant.embeddings import resolve_model_path
    from assistant.intent.training import TrainOptions, train_intent_model

    settings = get_settings()
    data_path = data or settings.intent_train_csv
    test_path = test
    if test_path is None and data is None:
        test_path = settings.intent_test_csv if settings.intent_test_csv.is_file() else None
    log = (lambda msg: typer.echo(msg, err=True))
    outcome = train_intent_model(
        data_path=data_path,
        model_dir=settings.intent_model_dir,
        base_model=resolve_model_path(settings.embedding_model),
        test_path=test_path,
        options=TrainOptions(
            epochs=epochs,
            learning_rate=learning_rate,
            holdout_fraction=holdout,
            encoder_layers=encoder_layers,
            quantise=not no_quantise,
            lexical=not no_lexical,
            neighbours=not no_neighbours,
        ),
        force=force,
        threads=settings.resolved_threads,
        progress=not json_out,
        log=log,
    )
    meta = outcome.meta
    from assistant.runtime import get_classifier, get_guards

    log("preparing the prompt-injection detector and its head on the intent encoder "
        "(each trains in about a minute when missing)")
    guards = get_guards(settings, get_classifier(settings))
    injection_meta = guards.injection.meta
    head_meta = guards.head.meta if guards.head else {}
    if json_out:
        print_json(
            {
                "trained": outcome.trained,
                "model_dir": str(outcome.model_dir),
                **meta,
                "injection_detector": injection_meta,
                "injection_embedding_head": head_meta,
            }
        )
        return
    if outcome.trained:
        typer.echo(f"intent model written to {outcome.model_dir}")
    typer.echo(
        f"  {len(meta.get('labels', []))} intents, trained {meta.get('created_at')} "
        f"in {meta.get('train_seconds')} s"
    )
    hold = meta.get("holdout") or {}
    typer.echo(f"  held-out accuracy {hold.get('accuracy', 0):.4f}, ECE {hold.get('ece', 0):.4f}")
    if meta.get("test"):
        t = meta["test"]
        typer.echo(f"  test accuracy {t['accuracy']:.4f}, ECE {t['ece']:.4f} (n={t['n']})")
    typer.echo(
        f"  injection detector: {injection_meta.get('n_injection', 0):,} injections / "
        f"{injection_meta.get('n_benign', 0):,} benign texts, threshold "
        f"{injection_meta.get('threshold', 0):.3f} (`assistant eval guards` measures it)"
    )
    if head_meta:
        typer.echo(
            f"  injection head on the intent embedding: threshold "
            f"{head_meta['threshold']:.3f}, validation recall "
            f"{head_meta['validation']['recall']:.4f} at 0.5% false positives"
        )

"""``assistant eval ...``: measured quality figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json

app = typer.Typer(
    help="Measure quality: intent accuracy and calibration; PII and injection guards.",
    no_args_is_help=True,
)


@app.command("intents")
def intents(
    data: Annotated[
        Optional[Path],
        typer.Option(
            "--data", help="Labelled CSV text,category (default: BANKING77 test split)."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Accuracy, macro-F1, expected calibration error and most-confused intent pairs."""
    from assistant.config import get_settings
    from assistant.evaluation.intents import evaluate_intents
    from assistant.intent.dataset import load_labelled_csv
    from assistant.runtime import get_classifier

    settings = get_settings()
    dataset = load_labelled_csv(data or settings.intent_test_csv)
    report = evaluate_intents(get_classifier(settings), dataset)
    if json_out:
        print_json(report)
        return
    typer.echo(f"intent evaluation on {report['dataset']} (n={report['n']:,})")
    typer.echo(f"  accuracy  {report['accuracy']:.4f}")
    typer.echo(f"  macro F1  {report['macro_f1']:.4f}")
    typer.echo(f"  ECE       {report['ece']:.4f}")
    typer.echo("  most confused (true -> predicted):")
    for row in report["most_confused"]:
        typer.echo(f"    {row['count']:3d}  {row['true']} -> {row['predicted']}")


@app.command("guards")
def guards(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """PII precision/recall (overall and per type) on evals/datasets/pii; injection
    accuracy/F1 on the held-out deepset split; false positives on BANKING77 test."""
    from assistant.config import get_settings
    from assistant.evaluation.guards import (
        evaluate_injection,
        evaluate_pii,
        load_injection_split,
        load_pii_cases,
    )
    from assistant.intent.dataset import load_labelled_csv
    from assistant.runtime import get_guards

    settings = get_settings()
    guards_ = get_guards(settings)
    report = evaluate_pii(guards_.pii, load_pii_cases())
    benign = load_labelled_csv(settings.intent_test_csv).texts
    report.update(evaluate_injection(guards_.injection, load_injection_split(), benign))
    if json_out:
        print_json(report)
        return
    typer.echo(f"PII ({report['pii_cases']} cases, {report['pii_hard_negatives']} hard negatives)")
    typer.echo(f"  precision {report['pii_precision']:.4f}  recall {report['pii_recall']:.4f}")
    for name, row in report["pii_by_type"].items():
        typer.echo(
            f"    {name:8s} precision {row['precision']:.4f}  recall {row['recall']:.4f}  n={row['n']}"
        )
    typer.echo(f"prompt injection (deepset test split, n={report['injection_n']})")
    typer.echo(
        f"  accuracy {report['injection_accuracy']:.4f}  F1 {report['injection_f1']:.4f}  "
        f"precision {report['injection_precision']:.4f}  recall {report['injection_recall']:.4f}"
    )
    typer.echo(
        f"  false positives on {report['benign_n']:,} BANKING77 test queries: "
        f"{report['benign_false_positive_rate']:.2%}"
    )

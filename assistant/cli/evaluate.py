"""``assistant eval ...``: measured quality figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json

app = typer.Typer(help="Measure quality: intent accuracy and calibration.", no_args_is_help=True)


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

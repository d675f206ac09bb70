"""The ``assistant`` command line, one module per command group."""

from __future__ import annotations

import logging
import sys

import typer

from assistant.cli import bench, evaluate, kb, policy, serve, train, triage
from assistant.errors import AssistantError

app = typer.Typer(
    name="assistant",
    help="Escalation Assistant: triage and reply drafting for payments escalation teams.\n\n"
    "Settings come from ASSISTANT_* environment variables (see README.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train.register(app)
triage.register(app)
app.add_typer(evaluate.app, name="eval")
app.add_typer(policy.app, name="policy")
app.add_typer(kb.app, name="kb")
bench.register(app)
serve.register(app)


def main() -> None:
    """Console-script entry point: AssistantErrors become a message, a hint and an exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        # Without standalone mode click returns a command's typer.Exit code instead of
        # exiting with it.
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except AssistantError as exc:
        typer.secho(f"error: {exc.message}", fg="red", err=True)
        if exc.hint:
            typer.echo(f"how to fix: {exc.hint}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except Exception as exc:  # click's own usage errors
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if isinstance(exc, click.exceptions.Exit):
            sys.exit(exc.exit_code)
        raise

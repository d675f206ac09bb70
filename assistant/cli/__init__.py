"""The ``assistant`` command line, one module per command group."""

from __future__ import annotations

import importlib
import logging
import sys

import typer

from assistant.cli import (
    bench, draft, evaluate, kb, playbooks, policy, serve, service, train, trends, triage,
)
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
draft.register(app)
trends.register(app)
app.add_typer(evaluate.app, name="eval")
app.add_typer(policy.app, name="policy")
app.add_typer(playbooks.app, name="playbooks")
app.add_typer(kb.app, name="kb")
bench.register(app)
serve.register(app)
service.register(app)


def _click_exceptions() -> list[object]:
    """The exception modules of every click in play: typer >= 0.2x vendors its own
    (``typer._click``), whose classes are not the installed click's."""
    modules = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            continue
    return modules


def main() -> None:
    """Console-script entry point: AssistantErrors become a message, a hint and an exit code;
    usage errors (unknown command or option, missing argument) the one-line usage error and
    exit code 2, never a traceback."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    clicks = _click_exceptions()
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
    except Exception as exc:  # click's own exceptions, from whichever click typer uses
        for module in clicks:
            if isinstance(exc, module.ClickException):  # type: ignore[attr-defined]
                exc.show()  # type: ignore[attr-defined]
                sys.exit(exc.exit_code)  # type: ignore[attr-defined]
            if isinstance(exc, module.Exit):  # type: ignore[attr-defined]
                sys.exit(exc.exit_code)  # type: ignore[attr-defined]
            if isinstance(exc, module.Abort):  # type: ignore[attr-defined]
                typer.echo("aborted", err=True)
                sys.exit(130)
        raise

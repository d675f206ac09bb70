"""``assistant policy check``: validate an escalation policy file before deploying it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json

app = typer.Typer(help="Work with the escalation policy (YAML).", no_args_is_help=True)


@app.command("check")
def check(
    path: Annotated[
        Optional[Path],
        typer.Argument(help="Policy YAML (default: ASSISTANT_POLICY_FILE, else the built-in one)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the parsed policy as JSON.")] = False,
) -> None:
    """Validate a policy: every mistake is reported with its line; prints the rules."""
    from assistant.config import get_settings
    from assistant.escalation.policy import load_policy

    settings = get_settings()
    chosen = path or settings.policy_file
    policy = load_policy(chosen.resolve() if chosen else None)
    if json_out:
        print_json(policy)
        return
    typer.echo(f"policy {policy.version} ({policy.source}): {len(policy.rules)} rules, valid")
    for rule in policy.rules:
        when = ", ".join(f"{k}={v}" for k, v in rule.when.model_dump(exclude_none=True).items())
        typer.echo(f"  {rule.action:8s} {rule.severity:8s} {rule.code:28s} when {when}")

"""``assistant playbooks check``: validate a playbooks file before deploying it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json

app = typer.Typer(help="Work with the resolution playbooks (YAML).", no_args_is_help=True)


@app.command("check")
def check(
    path: Annotated[
        Optional[Path],
        typer.Argument(help="Playbooks YAML (default: ASSISTANT_PLAYBOOKS_FILE, else the "
                       "built-in one)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Validate playbooks (every mistake is reported with its line) and check that each
    chunk id they cite exists in the knowledge-base sources (ASSISTANT_KB_DIR); exit 1
    when a citation is unknown."""
    from assistant.config import get_settings
    from assistant.drafting.playbooks import load_playbooks
    from assistant.kb.check import source_chunk_ids

    settings = get_settings()
    chosen = path or settings.playbooks_file
    playbooks = load_playbooks(chosen.resolve() if chosen else None)
    unknown = sorted(playbooks.chunk_ids() - source_chunk_ids(settings.kb_dir))
    if json_out:
        print_json({"version": playbooks.version, "playbooks": sorted(playbooks.playbooks),
                    "unknown_citations": unknown, "valid": not unknown})
    else:
        typer.echo(f"playbooks {playbooks.version}: {len(playbooks.playbooks)} playbooks")
        for name, book in playbooks.issues() + playbooks.overlays():
            typer.echo(f"  {book.kind:8s} {name:24s} {len(book.steps)} steps")
        for chunk_id in unknown:
            typer.secho(f"  unknown citation: {chunk_id} (not a chunk of {settings.kb_dir})",
                        fg="red", err=True)
        if not unknown:
            typer.echo("valid; every citation exists in the knowledge base")
    if unknown:
        raise typer.Exit(1)

"""``assistant draft``: a cited reply and a resolution plan for a ticket, checked claim by
claim; or the same check on a reply a person wrote (``--reply-file``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from assistant.cli.output import print_json
from assistant.errors import AssistantError, InputError
from assistant.ticket import decode_ticket, parse_received_at


def register(app: typer.Typer) -> None:
    app.command("draft")(draft)


def draft(
    text: Annotated[
        Optional[str], typer.Argument(help="The ticket text; '-' reads it from standard input.")
    ] = None,
    input_file: Annotated[
        Optional[Path],
        typer.Option(
            "--input", "-i",
            help='JSON Lines, one {"id", "text", "received_at"?} per line; one JSON draft per '
            "line out, in order (a bad line gets an error record).",
        ),
    ] = None,
    received_at: Annotated[
        Optional[str],
        typer.Option("--received-at", help="Day the ticket was received (YYYY-MM-DD); the "
                     "clocks and the reply's dates count from it. Default: today."),
    ] = None,
    writer: Annotated[
        str,
        typer.Option("--writer", help="composer (default, no LLM) or llm (the endpoint in "
                     "ASSISTANT_LLM_BASE_URL; falls back to the composer, saying why)."),
    ] = "composer",
    reply_file: Annotated[
        Optional[Path],
        typer.Option("--reply-file", help="Check this reply (a specialist's edit, a trainee's "
                     "answer) against the ticket, its plan and the passages, instead of "
                     "writing one."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the draft JSON contract.")] = False,
) -> None:
    """Draft a cited reply and a resolution plan for a ticket, checked claim by claim."""
    from assistant.runtime import get_drafter

    if writer not in ("composer", "llm"):
        raise InputError(f"unknown writer {writer!r}", "use --writer composer or --writer llm")
    if (text is None) == (input_file is None):
        raise InputError(
            "give either a ticket TEXT or --input FILE (not both, not neither)",
            'e.g. `assistant draft "Someone took $300 from my card"`',
        )
    if reply_file is not None and input_file is not None:
        raise InputError("--reply-file checks one reply: give a ticket TEXT with it, not --input",
                         'e.g. `assistant draft "ticket text" --reply-file reply.txt`')
    reply = _read_reply(reply_file) if reply_file is not None else None
    received = parse_received_at(received_at, "--received-at")
    drafter = get_drafter()
    if input_file is not None:
        _batch(drafter, input_file, writer, received, json_out)
        return
    raw: str | bytes = sys.stdin.buffer.read() if text == "-" else str(text)
    result = drafter.draft(raw, received, writer, reply)  # type: ignore[arg-type]
    if json_out:
        print_json(result)
    else:
        render(result)


def _read_reply(path: Path) -> str:
    if not path.is_file():
        raise InputError(f"reply file {path} does not exist", "pass the path of a text file")
    text = decode_ticket(path.read_bytes()).strip()
    if not text:
        raise InputError(f"reply file {path} is empty", "write the reply to check into it")
    return text


def _batch(drafter: Any, path: Path, writer: str, received: Any, json_out: bool) -> None:
    from tqdm.auto import tqdm

    from assistant.cli.triage import BatchLineError, _read_lines, parse_batch_line

    for number, line in tqdm(_read_lines(path), desc="draft", unit="ticket",
                             disable=not sys.stderr.isatty()):
        ticket_id: Any = None
        try:
            ticket_id, text, day = parse_batch_line(number, line)
            record = {"id": ticket_id, "line": number,
                      **drafter.draft(text, day or received, writer).model_dump(mode="json")}
        except BatchLineError as exc:
            record = {"id": exc.ticket_id, "line": number, "error": exc.to_dict()}
        except AssistantError as exc:
            error = InputError(f"line {number}: {exc.message}", exc.hint)
            record = {"id": ticket_id, "line": number, "error": error.to_dict()}
        if json_out:
            print_json(record, lines=True)
        elif "error" in record:
            typer.secho(f"{ticket_id}\terror: {record['error']['message']}", fg="red")
        else:
            typer.echo(f"{ticket_id}\t{record['plan']['playbook']}\t{record['grounding']['verdict']}")


def render(result: Any) -> None:
    """The draft for a person: the reply, the plan as a table, citations, the verdict."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{result.summary}[/bold]")
    plan = result.plan
    console.print(
        f"playbook: [bold]{plan.playbook}[/bold] ({plan.title}); chosen by {plan.chosen_by.driver}"
        f" {plan.chosen_by.code or ''}: {plan.chosen_by.evidence[:80]}"
        + (f"; overlays: {', '.join(plan.overlays)}" if plan.overlays else "")
    )
    console.print(Panel(result.reply, title=f"reply ({result.writer})", expand=False))
    if result.writer_note:
        console.print(f"[yellow]{result.writer_note}[/yellow]")
    table = Table(title="plan")
    for column in ("due", "owner", "action", "citation", "customer"):
        table.add_column(column)
    for step in plan.steps:
        action = ("[proposed] " if step.proposed else "") + step.action
        table.add_row(step.due or "unknown", step.owner, action, step.citation,
                      "yes" if step.customer_facing else "")
    console.print(table)
    for c in result.citations:
        console.print(f"[{c.marker}] {c.chunk_id}: \"{c.quote[:120]}\"")
    g = result.grounding
    colour = "green" if g.verdict == "pass" else "red"
    console.print(f"grounding: [{colour}]{g.verdict}[/{colour}] ({g.claims} claims)")
    for f in g.unsupported:
        console.print(f"  [red]{f.kind}[/red] \"{f.text[:80]}\": {f.why}")

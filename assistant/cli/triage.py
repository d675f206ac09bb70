"""``assistant triage``: one ticket from the command line, or a JSON Lines batch."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Iterator, Optional

import typer

from assistant.cli.output import print_json
from assistant.errors import AssistantError, InputError
from assistant.ticket import Ticket, decode_ticket, parse_received_at
from assistant.triage.schema import TriageResult

BATCH_SIZE = 256


def register(app: typer.Typer) -> None:
    app.command("triage")(triage)


def triage(
    text: Annotated[
        Optional[str],
        typer.Argument(help="The ticket text; '-' reads it from standard input."),
    ] = None,
    input_file: Annotated[
        Optional[Path],
        typer.Option(
            "--input",
            "-i",
            help='JSON Lines file, one {"id": ..., "text": ...} per line. Output is one '
            "JSON line per input line, in order; a bad line yields an error record, not an "
            "aborted batch.",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the triage JSON contract.")] = False,
    received_at: Annotated[
        Optional[str],
        typer.Option(
            "--received-at",
            help="Day the ticket was received (YYYY-MM-DD); regulatory clocks count from it "
            "and relative dates ('yesterday') resolve against it. Default: today. In a batch, "
            'a line\'s own "received_at" field wins.',
        ),
    ] = None,
) -> None:
    """Classify a ticket's issue type and say whether to escalate it, and why."""
    from assistant.runtime import get_triager

    if (text is None) == (input_file is None):
        raise InputError(
            "give either a ticket TEXT or --input FILE (not both, not neither)",
            "e.g. `assistant triage \"My card was charged twice\"` or "
            "`assistant triage --input tickets.jsonl`",
        )
    received = parse_received_at(received_at, "--received-at")
    triager = get_triager()
    if input_file is not None:
        _triage_batch(triager, input_file, json_out, received)
        return
    raw: str | bytes = sys.stdin.buffer.read() if text == "-" else str(text)
    result = triager.triage(raw, received)
    if json_out:
        print_json(result)
    else:
        _print_human(result)


def _print_human(result: TriageResult) -> None:
    typer.secho(result.summary, bold=True, fg="red" if result.escalate else "green")
    alts = ", ".join(f"{a.intent} {a.confidence:.0%}" for a in result.intent_alternatives)
    typer.echo(f"  intent: {result.intent} ({result.intent_confidence:.0%}); next: {alts}")
    for reason in result.reasons:
        typer.echo(f"  {reason.action}: {reason.code} ({reason.severity}): \"{reason.evidence}\"")
    for clock in result.clocks:
        typer.echo(f"  clock: {clock.deadline or 'unknown':10}  {clock.rule}  [{clock.citation}]")
    for warning in result.warnings:
        typer.secho(f"  warning: {warning}", fg="yellow", err=True)


def _read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    if not path.is_file():
        raise InputError(
            f"input file {path} does not exist",
            'pass a JSON Lines file with one {"id": ..., "text": ...} object per line',
        )
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                yield number, line


class BatchLineError(InputError):
    """A JSONL line that cannot be triaged; carries the line's id when it had one."""

    def __init__(self, message: str, hint: str, ticket_id: Any = None) -> None:
        super().__init__(message, hint)
        self.ticket_id = ticket_id


def parse_batch_line(number: int, line: bytes) -> tuple[Any, str, date | None]:
    """(id, text, received_at) from one JSONL line; BatchLineError naming the line when it
    is unusable."""
    try:
        record = json.loads(decode_ticket(line))
    except InputError as exc:
        raise BatchLineError(f"line {number}: {exc.message}", exc.hint) from None
    except json.JSONDecodeError as exc:
        raise BatchLineError(
            f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})",
            'each line must be one JSON object such as {"id": "T1", "text": "..."}',
        ) from None
    ticket_id = record.get("id") if isinstance(record, dict) else None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise BatchLineError(
            f'line {number}: expected an object with a string "text" field',
            'each line must look like {"id": "T1", "text": "..."}',
            ticket_id,
        )
    try:
        received = parse_received_at(record.get("received_at"))
    except InputError as exc:
        raise BatchLineError(f"line {number}: {exc.message}", exc.hint, ticket_id) from None
    return record.get("id"), record["text"], received


def _triage_batch(triager: Any, path: Path, json_out: bool, received: date | None) -> None:
    from tqdm.auto import tqdm

    pending: list[tuple[int, Any, Ticket | AssistantError, date | None]] = []

    def flush() -> None:
        ok = [(t, d) for _, _, t, d in pending if isinstance(t, Ticket)]
        results = (
            iter(triager.triage_tickets([t for t, _ in ok], [d for _, d in ok])) if ok else iter(())
        )
        for number, ticket_id, item, _ in pending:
            if isinstance(item, AssistantError):
                record = {"id": ticket_id, "line": number, "error": item.to_dict()}
            else:
                record = {"id": ticket_id, "line": number, **next(results).model_dump(mode="json")}
            if json_out:
                print_json(record, lines=True)
            elif "error" in record:
                typer.secho(f"{ticket_id}\terror: {record['error']['message']}", fg="red")
            else:
                typer.echo(f"{ticket_id}\t{record['summary']}")
        pending.clear()

    show = sys.stderr.isatty()
    for number, line in tqdm(_read_lines(path), desc="triage", unit="ticket", disable=not show):
        ticket_id: Any = None
        try:
            ticket_id, text, day = parse_batch_line(number, line)
            pending.append((number, ticket_id, triager.prepare(text), day or received))
        except BatchLineError as exc:
            pending.append((number, exc.ticket_id, exc, None))
        except AssistantError as exc:
            message = f"line {number}: {exc.message}"
            pending.append((number, ticket_id, InputError(message, exc.hint), None))
        if len(pending) >= BATCH_SIZE:
            flush()
    flush()

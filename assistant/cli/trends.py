"""``assistant trends``: volumes, spikes, emerging groups, root-cause hints and deflection
candidates over a ticket stream."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json


def register(app: typer.Typer) -> None:
    app.command("trends")(trends)


def trends(
    input: Annotated[Path, typer.Option("--input", "-i", help="Tickets: JSON Lines {id, text, "
                                        "received_at, ...attributes} or a CSV (CFPB columns "
                                        "work as they are).")],
    since: Annotated[Optional[str], typer.Option(help="First day (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Last day (YYYY-MM-DD).")] = None,
    by: Annotated[str, typer.Option(help="day, week or month.")] = "week",
    map_: Annotated[list[str], typer.Option("--map", help="FIELD=COLUMN for a CSV, e.g. "
                                            "text=Narrative (fields: id, text, received_at, "
                                            "product, issue, company, channel, merchant, "
                                            "app_version, outcome).")] = [],
    report: Annotated[Optional[Path], typer.Option(help="Write the HTML report here.")] = None,
    cache: Annotated[Optional[Path], typer.Option(
        help="The triage cache (SQLite); default: trends-cache.sqlite in the data dir.")] = None,
    false_alarms: Annotated[float, typer.Option(
        min=0.01, max=50, help="Spike false-alarm budget: alarms per 100 series-weeks when "
        "nothing changed (each series is held to it, however many there are).")] = 1.0,
    json_out: Annotated[bool, typer.Option("--json", help="Print the analysis as JSON.")] = False,
) -> None:
    """Trends and root causes: volumes by intent, reason and severity; spikes against each
    series' own history (false alarms held to a budget per series-week); emerging groups of
    new, similar tickets; over-represented attributes and terms as hypotheses; deflection
    candidates. Triage is cached by content hash: a re-run triages only new tickets."""
    from rich.progress import Progress

    from assistant.config import get_settings
    from assistant.errors import InputError
    from assistant.runtime import get_triager
    from assistant.trends.analysis import analyse
    from assistant.trends.cache import TriageCache, triage_stream
    from assistant.trends.load import load_stream
    from assistant.trends.report import render_trends

    if by not in ("day", "week", "month"):
        raise InputError(f"--by {by!r}: use day, week or month", "e.g. --by month")
    mapping = {}
    for item in map_:
        key, sep, column = item.partition("=")
        if not sep:
            raise InputError(f"--map {item!r} is not FIELD=COLUMN", "e.g. --map text=Narrative")
        mapping[key.strip()] = column.strip()
    try:
        first = date.fromisoformat(since) if since else None
        last = date.fromisoformat(until) if until else None
    except ValueError as exc:
        raise InputError(f"--since/--until: {exc}", "write days as YYYY-MM-DD") from None
    settings = get_settings()
    tickets = [t for t in load_stream(input, mapping)
               if (first is None or t.received >= first) and (last is None or t.received <= last)]
    textless = [t for t in tickets if not t.text]
    tickets = [t for t in tickets if t.text]
    if not tickets:
        raise InputError("no ticket with text in that period", "widen --since/--until")
    triager = get_triager(settings)
    store = TriageCache(cache or settings.data_dir / "trends-cache.sqlite")
    with Progress(transient=True, disable=json_out) as bar:
        task = bar.add_task("triage", total=len(tickets))
        triaged, fresh = triage_stream(tickets, triager, store,
                                       progress=lambda n: bar.advance(task, n))
    analysis = analyse(tickets, triaged, by, false_alarms, textless=textless)
    analysis["triaged_now"] = fresh
    if report:
        report.write_text(render_trends(analysis), encoding="utf-8")
    if json_out:
        print_json({k: v for k, v in analysis.items()})
        return
    typer.echo(f"{analysis['tickets']:,} tickets {analysis['from']} to {analysis['until']} "
               f"({fresh:,} triaged now, the rest from the cache)")
    if textless:
        typer.echo(f"{len(textless):,} more without text, counted in the volumes by product, "
                   "issue and company only")
    typer.echo(f"spikes in the last 5 days: {len(analysis['spikes'])}")
    for s in analysis["spikes"][:10]:
        typer.echo(f"  {s['series']:45s} {s['count']} vs {s['expected']} expected "
                   f"({s['strength']}x)")
    typer.echo(f"emerging groups: {len(analysis['emerging'])}")
    for g in analysis["emerging"][:10]:
        typer.echo(f"  [{g['size']}] {g['label']} (first seen {g['first_seen']})")
    typer.echo("deflection candidates: " + ", ".join(
        d["intent"] for d in analysis["deflection_candidates"][:8]))
    if report:
        typer.echo(f"report: {report}")

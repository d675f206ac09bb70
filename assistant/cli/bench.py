"""``assistant bench``: latency and throughput figures."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)
    app.command("load-test")(load_test)
    app.command("bench-trends")(bench_trends)


SCENARIOS = ("triage", "tickets", "soak")
# Targets of the service (issue: the service): sustained rate, p99, memory growth.
TARGETS = {"triage": (100.0, 250.0), "tickets": (20.0, 1000.0)}
SOAK_GROWTH = 0.10


def bench(
    singles: Annotated[int, typer.Option(min=10, help="Single-ticket triages to time.")] = 300,
    batch_size: Annotated[int, typer.Option(min=10, help="Tickets per batch.")] = 1000,
    repeats: Annotated[int, typer.Option(min=1, help="Batches to time (median).")] = 3,
    retrieval: Annotated[
        bool,
        typer.Option("--retrieval/--no-retrieval", help="Also time retrieval and ingest."),
    ] = True,
    kb_chunks: Annotated[
        int, typer.Option(min=100, help="Chunks in the enlarged index retrieval is timed on.")
    ] = 10_000,
    drafting: Annotated[
        bool, typer.Option("--drafting/--no-drafting",
                           help="Also time drafts (`draft_p50_ms`, `grounding_p50_ms`).")
    ] = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Time triage in-process: p50 for one warm ticket (guards included) and tickets/s for
    a batch; the guards alone (`guards_p50_ms`), also on PII-bearing tickets; retrieval
    p50 on a synthetic 10,000-chunk index (`retrieval_p50_ms`, built once and cached in
    the data dir, ~10 min the first time) and ingest chunks/s.

    Tickets are short real queries from the BANKING77 test split; the escalation figures
    use the hand-written multi-sentence tickets of the escalation set. Figures are medians;
    run on a quiet machine and compare ratios, not absolute numbers, across machines.
    """
    from assistant.config import get_settings
    from assistant.evaluation.bench import bench_triage, sample_tickets
    from assistant.evaluation.escalation import load_escalation_set
    from assistant.evaluation.guards import load_pii_cases
    from assistant.runtime import get_classifier, get_guards

    settings = get_settings()
    report = bench_triage(
        settings,
        sample_tickets(settings.intent_test_csv),
        guards=get_guards(settings, get_classifier(settings)),
        pii_tickets=[c["text"] for c in load_pii_cases() if c["entities"]],
        escalation_tickets=[
            r["text"] for r in load_escalation_set() if r["source"] == "written"
        ],
        singles=singles,
        batch_size=batch_size,
        repeats=repeats,
        progress=lambda msg: typer.echo(msg, err=True),
    )
    if drafting:
        import json
        from datetime import date

        from assistant.config import PROJECT_ROOT
        from assistant.evaluation.bench import bench_drafting
        from assistant.runtime import get_drafter

        rows = [json.loads(line) for line in (PROJECT_ROOT / "evals" / "drafting" /
                "tickets.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
        typer.echo("timing drafts (composer, with triage, retrieval and grounding)", err=True)
        report.update(bench_drafting(get_drafter(settings), [
            (r["text"], date.fromisoformat(r["received_at"])) for r in rows]))
    if retrieval:
        from assistant.evaluation.retrieval import load_questions
        from assistant.evaluation.retrieval_bench import bench_retrieval
        from assistant.guards.pii import PiiDetector
        from assistant.runtime import get_kb_embedder

        report.update(
            bench_retrieval(
                settings,
                [q["q"] for q in load_questions()],
                get_kb_embedder(settings),
                PiiDetector(settings.phone_region),
                target_chunks=kb_chunks,
                progress=lambda msg: typer.echo(msg, err=True),
            )
        )
    if json_out:
        print_json(report)
        return
    typer.echo(f"triage p50        {report['triage_p50_ms']:.2f} ms (one ticket, warm)")
    typer.echo(f"triage p90        {report['triage_p90_ms']:.2f} ms")
    typer.echo(f"triage batch      {report['triage_batch_per_s']:.0f} tickets/s")
    typer.echo(f"guards p50        {report['guards_p50_ms']:.2f} ms (PII + injection)")
    if report.get("triage_escalation_ticket_p50_ms") is not None:
        typer.echo(
            f"escalation ticket {report['triage_escalation_ticket_p50_ms']:.2f} ms p50 "
            "(multi-sentence, full triage incl. signals and clocks)"
        )
    typer.echo(f"model load        {report['intent_model_load_s']:.2f} s")
    if "draft_p50_ms" in report:
        typer.echo(f"draft p50         {report['draft_p50_ms']:.1f} ms (composer, everything "
                   f"included); grounding p50 {report['grounding_p50_ms']:.1f} ms")
    if retrieval:
        typer.echo(
            f"retrieval p50     {report['retrieval_p50_ms']:.2f} ms (hybrid, "
            f"{report['retrieval_index_chunks']:,} chunks; dense {report['retrieval_dense_p50_ms']:.2f}, "
            f"bm25 {report['retrieval_bm25_p50_ms']:.2f})"
        )
        typer.echo(f"kb ingest         {report['kb_ingest_chunks_per_s']:.0f} chunks/s")


def load_test(
    scenario: Annotated[Optional[list[str]], typer.Option(
        "--scenario", "-s", help="triage, tickets or soak; repeat the option for several "
        "(default: all three, in that order).")] = None,
    seconds: Annotated[int, typer.Option(min=5, help="Length of the triage and tickets runs.")] = 60,
    soak_seconds: Annotated[int, typer.Option(min=10, help="Length of the soak.")] = 300,
    triage_rate: Annotated[float, typer.Option(min=1, help="Target POST /v1/triage per second.")] = 120,
    tickets_rate: Annotated[float, typer.Option(min=1, help="Target POST /v1/tickets per second.")] = 25,
    soak_rate: Annotated[float, typer.Option(min=1, help="Target requests per second of the soak "
                                             "(10 triage : 2 tickets : 1 queue).")] = 40,
    users: Annotated[int, typer.Option(min=1, help="Simulated users sharing each target rate.")] = 20,
    workers: Annotated[int, typer.Option(min=1, help="Server worker processes (more than one "
                                         "needs ASSISTANT_CHROMA_URL).")] = 1,
    database_url: Annotated[Optional[str], typer.Option(
        help="Database of the server under load (default: a scratch SQLite file, deleted "
        "afterwards; never your own cases).")] = None,
    url: Annotated[Optional[str], typer.Option(
        help="Load a server that is already running instead (needs --key).")] = None,
    key: Annotated[Optional[str], typer.Option(help="A specialist's API key for --url.")] = None,
    texts: Annotated[str, typer.Option(
        help="realistic: the multi-sentence tickets of the drafting and realistic sets "
        "(about 50 words); short: BANKING77's one-line test queries (about 12 words).")
    ] = "realistic",
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Load the HTTP service with locust over loopback: POST /v1/triage, POST /v1/tickets
    (store, triage, composer draft) and a soak of both with the review queue, reporting
    the sustained rate, p50/p99 latency, errors and (soak) the server's memory growth.

    By default it starts `assistant serve` itself on a scratch database with the data
    dir's trained models and index (run `make train kb` first), so the team's cases are
    never touched, and raises the per-key rate limit for the run. Exit 1 when a target is
    missed: triage >= 100/s with p99 <= 250 ms, tickets >= 20/s with p99 <= 1 s, zero
    errors, soak memory growth <= 10%.
    """
    import os
    import json

    from assistant.config import PROJECT_ROOT
    from assistant.evaluation.load import Scenario, load_texts, run_load_test
    from assistant.errors import InputError

    if texts not in ("realistic", "short"):
        raise InputError(f"unknown --texts {texts!r}", "use realistic or short")
    chosen = scenario or list(SCENARIOS)
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        raise InputError(f"unknown scenario {unknown[0]!r}", f"use {', '.join(SCENARIOS)}")
    rates = {"triage": triage_rate, "tickets": tickets_rate, "soak": soak_rate}
    lengths = {"triage": seconds, "tickets": seconds, "soak": soak_seconds}
    plan = [Scenario(s, users, rates[s] / users, lengths[s]) for s in chosen]
    if texts == "short":
        import csv

        from assistant.config import get_settings

        with get_settings().intent_test_csv.open(encoding="utf-8") as fh:
            ticket_texts = [row["text"] for row in csv.DictReader(fh)]
    else:
        ticket_texts = load_texts([PROJECT_ROOT / "evals" / "drafting" / "tickets.jsonl",
                                   PROJECT_ROOT / "evals" / "realistic" / "dev.jsonl"])
    env = dict(os.environ)
    if database_url:
        env["ASSISTANT_DATABASE_URL"] = database_url
    else:
        env.pop("ASSISTANT_DATABASE_URL", None)  # the scratch SQLite file
    report = run_load_test(env, ticket_texts, plan, workers=workers, url=url, key=key,
                           progress=lambda m: typer.echo(m, err=True))
    report["texts"] = texts
    report["verdicts"] = verdicts = _verdicts(report)
    if json_out:
        print_json(report)
    else:
        m = report["machine"]
        typer.echo(f"{m['cpu']}, {m['cores']} cores; {report['workers']} worker(s); "
                   f"{texts} tickets")
        for name, fig in report["scenarios"].items():
            for route, r in fig["requests"].items():
                if route == "Aggregated" and len(fig["requests"]) == 2:
                    continue
                typer.echo(f"{name:8} {route:20} {r['requests']:>7} req  {r['rps']:7.1f}/s  "
                           f"p50 {r['p50_ms']:5.0f} ms  p99 {r['p99_ms']:5.0f} ms  "
                           f"errors {r['errors']}")
            if "memory" in fig and name == "soak":
                mem = fig["memory"]
                typer.echo(f"{'':8} memory {mem['start_mb']:.0f} MB -> {mem['end_mb']:.0f} MB "
                           f"({mem['growth']:+.1%}) after the warm-up")
        for line in verdicts:
            typer.echo(line)
    if any(v.startswith("MISSED") for v in verdicts):
        raise typer.Exit(1)


def _verdicts(report: dict) -> list[str]:
    out = []
    for name, fig in report["scenarios"].items():
        agg = fig["requests"].get("Aggregated", {})
        errors = int(agg.get("errors", 0))
        if name in TARGETS:
            route = f"POST /v1/{name}"
            r = fig["requests"].get(route, agg)
            rate, p99 = TARGETS[name]
            ok = r["rps"] >= rate and r["p99_ms"] <= p99 and errors == 0
            out.append(f"{'met' if ok else 'MISSED'}: {route} {r['rps']:.1f}/s (>= {rate:g}), "
                       f"p99 {r['p99_ms']:.0f} ms (<= {p99:g}), {errors} errors (0)")
        elif name == "soak":
            growth = fig.get("memory", {}).get("growth", 0.0)
            ok = growth <= SOAK_GROWTH and errors == 0
            out.append(f"{'met' if ok else 'MISSED'}: soak memory growth {growth:+.1%} "
                       f"(<= {SOAK_GROWTH:.0%}), {errors} errors (0)")
    return out


def bench_trends(
    tickets: Annotated[int, typer.Option(min=1000, help="Tickets in the cold run.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Seed of the generated stream.")] = 2025,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Time `assistant trends` on the seeded stream scaled to TICKETS: a cold run (empty
    triage cache, triage included) and a re-run with one new week; peak memory of each.
    Targets: cold <= 10 min for 100,000 tickets (a smaller run is judged on its linear
    projection), re-run <= 1 min, memory <= 4 GB. Exits 1 when one is missed."""
    from rich.console import Console

    from assistant.evaluation.trends_bench import run_trends_bench

    console = Console(stderr=True)
    with console.status("generating the stream") as status:
        report = run_trends_bench(tickets, seed, progress=status.update)
    if json_out:
        print_json(report)
    else:
        m = report["machine"]
        typer.echo(f"machine: {m['cpu']}, {m['cores']} cores")
        for name in ("cold", "rerun_one_new_week"):
            r = report[name]
            typer.echo(f"{name:20s} {r['tickets']:>8,} tickets  {r['seconds']:7.1f} s  "
                       f"peak {r['peak_rss_mb']:7.0f} MB  triaged now {r['triaged_now']:,}")
        typer.echo(f"cold run per 100,000 tickets: {report['cold_seconds_per_100k']:.0f} s")
        typer.echo("met: " + ", ".join(f"{k} {'yes' if v else 'NO'}"
                                       for k, v in report["met"].items()))
    if not all(report["met"].values()):
        raise typer.Exit(1)

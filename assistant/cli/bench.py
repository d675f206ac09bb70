"""``assistant bench``: latency and throughput figures."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.output import print_json


def register(app: typer.Typer) -> None:
    app.command("bench")(bench)


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

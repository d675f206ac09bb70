"""``assistant kb ingest`` and ``assistant kb search``: the knowledge-base index."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json

app = typer.Typer(
    help="Build and search the knowledge-base index (policies, terms, regulations, "
    "past resolutions).",
    no_args_is_help=True,
)


def _date(value: Optional[str], option: str) -> Optional[dt.date]:
    if value is None:
        return None
    from assistant.errors import InputError

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date", "write it as YYYY-MM-DD") from None


@app.command("ingest")
def ingest_cmd(
    path: Annotated[
        Optional[Path],
        typer.Argument(help="A kb directory or one source file (default: ASSISTANT_KB_DIR)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    progress: Annotated[
        bool, typer.Option("--progress/--no-progress", help="Progress bar while embedding.")
    ] = True,
) -> None:
    """Index Markdown, HTML, PDF, text and JSONL/CSV sources, one chunk per section.

    Incremental: unchanged documents are not re-embedded, changed ones are replaced,
    deleted ones leave the index. Files that fail are listed and the rest goes on;
    a file that fails keeps its previously indexed version."""
    from tqdm.auto import tqdm

    from assistant.config import get_settings
    from assistant.guards.pii import PiiDetector
    from assistant.kb.ingest import ingest
    from assistant.runtime import get_kb_embedder, get_store

    settings = get_settings()
    target = (path or settings.kb_dir).resolve()
    store = get_store(settings)
    encoder = get_kb_embedder(settings)
    bar: list[tqdm] = []

    def on_total(total: int) -> None:
        bar.append(
            tqdm(total=total, unit="chunk", desc="embedding", file=sys.stderr,
                 disable=not progress or total == 0)
        )

    report = ingest(
        target,
        store,
        encoder,
        PiiDetector(settings.phone_region),
        settings.kb_dir,
        progress=lambda n: bar[0].update(n) if bar else None,
        on_total=on_total,
    )
    if bar:
        bar[0].close()
    if json_out:
        print_json({**report.to_dict(), "embedder_precision": encoder.precision})
    else:
        typer.echo(
            f"ingested {report.root} into {store.location}: {report.files} files, "
            f"{report.documents} documents ({len(report.new)} new, {len(report.changed)} "
            f"changed, {report.unchanged} unchanged, {len(report.removed)} removed)"
        )
        typer.echo(
            f"  {report.chunks_embedded} chunks embedded in {report.seconds:.1f} s "
            f"({report.chunks_per_s:.0f}/s, {encoder.precision} embedder), "
            f"{report.chunks_reused} unchanged sections kept "
            f"their vectors; index holds {report.chunks_total} chunks; "
            f"{report.pii_redactions} PII values redacted"
        )
        for skipped in report.skipped:
            kept = " (its previous version stays indexed)" if skipped.kept_indexed else ""
            typer.secho(f"  skipped {skipped.error}{kept}", fg="yellow", err=True)
            typer.echo(f"    how to fix: {skipped.hint}", err=True)
    if report.skipped:
        raise typer.Exit(code=2 if report.documents else 65)


@app.command("search")
def search_cmd(
    query: Annotated[str, typer.Argument(help="A question or keywords.")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=100, help="Chunks to return.")] = 5,
    doc_type: Annotated[
        Optional[list[str]],
        typer.Option("--type", help="Only this document type (repeatable): policy, terms, "
                     "regulation, resolution, guide."),
    ] = None,
    as_of: Annotated[
        Optional[str],
        typer.Option("--as-of", help="Cite the versions in force on this day (YYYY-MM-DD; "
                     "default today)."),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="hybrid (default), dense or bm25.")
    ] = "hybrid",
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Hybrid search (dense + BM25, rank-fused) over the index, with citable chunk ids."""
    from assistant.runtime import get_retriever

    day = _date(as_of, "--as-of")
    hits = get_retriever().search(query, k=k, types=doc_type, as_of=day, mode=mode)  # type: ignore[arg-type]
    if json_out:
        print_json(
            {
                "query": query,
                "mode": mode,
                "as_of": (day or dt.date.today()).isoformat(),
                "results": [h.to_dict() for h in hits],
            }
        )
        return
    if not hits:
        typer.echo("no matching chunks")
    for n, hit in enumerate(hits, 1):
        c = hit.chunk
        typer.secho(f"{n}. {c.chunk_id}  (v{c.version}, score {hit.score:.4f})", bold=True)
        typer.echo(f"   {c.title} > {c.section}  [{c.source}]")
        snippet = " ".join(c.text.split())
        typer.echo(f"   {snippet[:240]}{'...' if len(snippet) > 240 else ''}")


@app.command("check")
def check_cmd(
    path: Annotated[
        Optional[Path],
        typer.Argument(help="A kb directory (default: ASSISTANT_KB_DIR)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the issues as JSON.")] = False,
) -> None:
    """Lint the knowledge base before ingesting: front matter, duplicate ids, broken
    cross-references, figures that disagree with the rules the clocks compute (declared
    once in assistant/clocks/figures.yaml), undeclared contact points, superseded
    resolutions. Exits 1 when there is an error."""
    from assistant.config import get_settings
    from assistant.errors import InputError
    from assistant.kb.check import check_kb, to_dict

    target = (path or get_settings().kb_dir).resolve()
    if not target.exists():
        raise InputError(f"{target} does not exist", "pass a knowledge-base directory")
    issues = check_kb(target)
    report = to_dict(issues)
    if json_out:
        print_json(report)
    else:
        colours = {"error": "red", "warning": "yellow", "info": "cyan"}
        for issue in issues:
            typer.secho(
                f"{issue.file}:{issue.line}: {issue.severity}: [{issue.kind}] {issue.message}",
                fg=colours[issue.severity],
            )
        typer.echo(f"{report['errors']} errors, {report['warnings']} warnings in {target}")
    if report["errors"]:
        raise typer.Exit(1)

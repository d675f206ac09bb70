"""``assistant eval ...``: measured quality figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from assistant.cli.output import print_json

app = typer.Typer(
    help="Measure quality: intent accuracy and calibration; PII and injection guards; "
    "escalation precision/recall; retrieval recall and MRR; clocks; drafting; and run the "
    "trainers' suites (`eval run`, `eval init`).",
    no_args_is_help=True,
)


@app.command("intents")
def intents(
    data: Annotated[
        Optional[Path],
        typer.Option(
            "--data", help="Labelled CSV text,category, or JSON Lines {text, intent, "
            "intent_also?} such as evals/realistic/test.jsonl (default: BANKING77 test split)."
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Accuracy, macro-F1, expected calibration error and most-confused intent pairs."""
    from assistant.config import get_settings
    from assistant.evaluation.intents import evaluate_intents
    from assistant.intent.dataset import load_labelled
    from assistant.runtime import get_classifier

    settings = get_settings()
    dataset = load_labelled(data or settings.intent_test_csv)
    report = evaluate_intents(get_classifier(settings), dataset)
    if json_out:
        print_json(report)
        return
    typer.echo(f"intent evaluation on {report['dataset']} (n={report['n']:,})")
    typer.echo(f"  accuracy  {report['accuracy']:.4f}")
    typer.echo(f"  macro F1  {report['macro_f1']:.4f}")
    typer.echo(f"  ECE       {report['ece']:.4f}")
    typer.echo("  most confused (true -> predicted):")
    for row in report["most_confused"]:
        typer.echo(f"    {row['count']:3d}  {row['true']} -> {row['predicted']}")


@app.command("guards")
def guards(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """PII precision/recall (overall and per type) on evals/datasets/pii; injection
    accuracy/F1 on the held-out deepset split (the lexical detector OR-ed with the head on
    the intent embedding, as triage runs them, and each alone); false positives on
    BANKING77 test queries, on the escalation set's multi-sentence complaints (development
    data) and on the other CFPB narratives (credit reporting, debt collection, mortgages),
    split in a development half and a held-out half."""
    from assistant.config import get_settings
    import time

    from assistant.evaluation.guards import (
        evaluate_injection,
        evaluate_pii,
        evaluate_pii_coverage,
        evaluate_presidio,
        load_cfpb_narratives,
        load_injection_split,
        load_marked_cases,
        PII_HOLDOUT,
        load_pii_cases,
        load_presidio_cases,
        pii_false_positive_rate,
    )
    from assistant.escalation.language import LanguageIdentifier
    from assistant.evaluation.escalation import load_escalation_set
    from assistant.intent.dataset import load_labelled_csv
    from assistant.errors import ModelNotReadyError
    from assistant.runtime import get_classifier, get_guards

    settings = get_settings()
    try:
        classifier = get_classifier(settings)
    except ModelNotReadyError as exc:
        classifier = None
        typer.secho(
            f"warning: {exc.message}; the injection head on the intent embedding is not "
            f"measured ({exc.hint})",
            fg="yellow",
            err=True,
        )
    guards_ = get_guards(settings, classifier)
    embed = classifier.encoder.encode if classifier else None
    report = evaluate_pii(guards_.pii, load_pii_cases())
    benign = load_labelled_csv(settings.intent_test_csv).texts
    complaints = [  # multi-sentence: the BANKING77 rows there are already in `benign`
        row["text"] for row in load_escalation_set() if row.get("source") != "banking77"
    ]
    presidio = evaluate_presidio(guards_.pii, load_presidio_cases())
    presidio["presidio_misses"] = presidio["presidio_misses"][:20]
    report.update(presidio)
    for split in ("dev", "test"):
        shapes = evaluate_pii_coverage(guards_.pii, load_marked_cases(split=split))
        shapes["errors"] = shapes["errors"][:20]
        report[f"pii_customer_{split}"] = shapes
    holdout = evaluate_pii_coverage(guards_.pii, load_marked_cases(PII_HOLDOUT))
    holdout["errors"] = holdout["errors"][:30]
    report["pii_holdout"] = holdout
    report["pii_false_positives_banking77"] = pii_false_positive_rate(guards_.pii, benign)
    report["pii_false_positives_complaints"] = pii_false_positive_rate(guards_.pii, complaints)
    started = time.perf_counter()
    for text in benign:
        guards_.pii.find(text)
    report["pii_find_ms_mean"] = round((time.perf_counter() - started) * 1000 / len(benign), 4)
    identifier = LanguageIdentifier()
    cfpb = load_cfpb_narratives()
    report.update(
        evaluate_injection(
            lambda texts: [g.injection for g in guards_.check_texts(texts, embed)],
            load_injection_split(),
            benign,
            complaints,
            cfpb_dev=cfpb["dev"],
            cfpb_test=cfpb["test"],
            language_of=lambda text: identifier.identify(text).code,
            thresholds={
                "lexical": round(guards_.injection.threshold, 4),
                **({"embedding": round(guards_.head.threshold, 4)} if guards_.head else {}),
            },
        )
    )
    if json_out:
        print_json(report)
        return
    typer.echo(f"PII ({report['pii_cases']} cases, {report['pii_hard_negatives']} hard negatives)")
    typer.echo(f"  precision {report['pii_precision']:.4f}  recall {report['pii_recall']:.4f}")
    for name, row in report["pii_by_type"].items():
        typer.echo(
            f"    {name:8s} precision {row['precision']:.4f}  recall {row['recall']:.4f}  n={row['n']}"
        )
    typer.echo(
        f"PII on Presidio's analyzer test cases ({report['presidio_values']} values): recall "
        f"{report['presidio_recall']:.4f}  masked {report['presidio_masked']:.4f}  precision "
        f"{report['presidio_precision']:.4f}"
    )
    for group, row in report["presidio_by_group"].items():
        typer.echo(f"    written {group:8s} n={row['n']:4d}  recall {row['recall']:.4f}")
    for name, row in report["presidio_by_type"].items():
        groups = "  ".join(f"{g} {v['recall']:.2f} (n={v['n']})" for g, v in row["by_group"].items())
        typer.echo(
            f"    {name:8s} recall {row['recall']:.4f}  precision {row['precision']:.4f}  {groups}"
        )
    for split in ("dev", "test"):
        row = report[f"pii_customer_{split}"]
        typer.echo(
            f"PII on the customer-shapes set, {split} half ({row['values']} values, "
            f"{row['hard_negative_texts']} hard negatives): recall {row['recall']:.4f}  masked "
            f"{row['masked']:.4f}  precision {row['precision']:.4f}  hard negatives flagged "
            f"{row['hard_negative_texts_flagged']:.2%}"
        )
    for name in ("banking77", "complaints"):
        row = report[f"pii_false_positives_{name}"]
        typer.echo(f"  PII false positives on {row['n']:,} {name} texts: {row['rate']:.2%}")
    typer.echo(f"prompt injection (deepset test split, n={report['injection_n']})")
    typer.echo(
        f"  accuracy {report['injection_accuracy']:.4f}  F1 {report['injection_f1']:.4f}  "
        f"precision {report['injection_precision']:.4f}  recall {report['injection_recall']:.4f}"
    )
    for part, label in (("lexical", "lexical detector"), ("embedding", "embedding head")):
        if f"injection_{part}_f1" in report:
            typer.echo(
                f"    {label + ' alone':24s} F1 {report[f'injection_{part}_f1']:.4f}  precision "
                f"{report[f'injection_{part}_precision']:.4f}  recall "
                f"{report[f'injection_{part}_recall']:.4f}"
            )
    for language, row in report["injection_by_language"].items():
        typer.echo(
            f"    {language:4s} n={row['n']:3d}  injections {row['injections']:3d}  "
            f"precision {row['precision']:.4f}  recall {row['recall']:.4f}  F1 {row['f1']:.4f}"
        )
    typer.echo(
        f"  false positives on {report['benign_n']:,} BANKING77 test queries: "
        f"{report['benign_false_positive_rate']:.2%}"
    )
    typer.echo(
        f"  false positives on {report['ticket_n']:,} complaint tickets (escalation set, "
        f"development): {report['ticket_false_positive_rate']:.2%}"
    )
    for split, label in (("dev", "development"), ("test", "held out")):
        typer.echo(
            f"  false positives on {report[f'cfpb_{split}_n']:,} other CFPB narratives, "
            f"{split} half ({label}): {report[f'cfpb_{split}_false_positive_rate']:.2%}  by "
            f"{report[f'cfpb_{split}_flagged_by']}"
        )


@app.command("escalation")
def escalation(
    data: Annotated[
        Optional[Path],
        typer.Option(
            "--data",
            help="Escalation set, JSON Lines (default: evals/datasets/escalation/tickets.jsonl; "
            "format and labelling rules in evals/escalation/GUIDELINE.md).",
        ),
    ] = None,
    exemplars: Annotated[
        bool,
        typer.Option(
            "--exemplars/--no-exemplars",
            help="Add the embedding matcher (signal exemplars compared with each sentence) "
            "to measure it; off in serving, where it did not pay for itself.",
        ),
    ] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Escalation precision, recall and F1 (overall, per source, per reason code) and
    ROC-AUC of the escalation score against the CFPB 'monetary relief' proxy."""
    import sys

    from tqdm.auto import tqdm

    from assistant.clocks.calendar import BusinessCalendar
    from assistant.config import get_settings
    from assistant.evaluation.escalation import (
        ESCALATION_SET,
        evaluate_escalation,
        load_escalation_set,
    )
    from assistant.runtime import get_classifier, get_escalation, get_guards
    from assistant.triage.service import Triager

    settings = get_settings()
    rows = load_escalation_set(data or ESCALATION_SET)
    classifier = get_classifier(settings)
    triager = Triager(
        classifier,
        get_guards(settings, classifier),
        settings,
        get_escalation(settings, exemplars=exemplars),
        BusinessCalendar(settings.holiday_calendar),
    )
    with tqdm(total=len(rows), desc="escalation", unit="ticket", disable=not sys.stderr.isatty()) as bar:
        report = evaluate_escalation(triager, rows, progress=bar.update)
    report["exemplars"] = exemplars
    if json_out:
        print_json(report)
        return
    typer.echo(f"escalation ({report['n']} tickets, {report['must_escalate']} must-escalate)")
    typer.echo(
        f"  precision {report['precision']:.4f}  recall {report['recall']:.4f}  "
        f"F1 {report['f1']:.4f}  ROC-AUC {report['roc_auc']}"
    )
    for name, row in report["by_source"].items():
        typer.echo(
            f"    {name:10s} n={row['n']:4d}  precision {row['precision']:.4f}  "
            f"recall {row['recall']:.4f}  F1 {row['f1']:.4f}"
        )
    typer.echo("  per reason code (written + banking77):")
    for code, row in report["by_reason"].items():
        typer.echo(
            f"    {code:26s} n={row['n']:3d}  precision {row['precision']:.4f}  recall {row['recall']:.4f}"
        )
    if "cfpb_monetary_relief_roc_auc" in report:
        typer.echo(f"  ROC-AUC vs CFPB 'monetary relief': {report['cfpb_monetary_relief_roc_auc']}")
    for miss in report["missed"][:10]:
        typer.echo(f"  missed {miss['id']}: {miss['text'][:90]}")


@app.command("retrieval")
def retrieval(
    data: Annotated[
        Optional[Path],
        typer.Option("--data", help="Question set YAML (default: evals/retrieval/questions.yaml)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Recall@1, recall@5, MRR and nDCG@10 of dense, BM25 and hybrid search over the
    current index (run `assistant kb ingest` first)."""
    from assistant.evaluation.retrieval import RETRIEVAL_SET, evaluate_retrieval, load_questions
    from assistant.runtime import get_retriever

    questions = load_questions(data or RETRIEVAL_SET)
    report = evaluate_retrieval(get_retriever(), questions)
    if json_out:
        print_json(report)
        return
    typer.echo(f"retrieval on {report['n']} questions, index of {report['index_chunks']} chunks")
    typer.echo(f"  {'mode':8s} {'R@1':>6s} {'R@5':>6s} {'MRR':>6s} {'nDCG@10':>8s} {'p50 ms':>7s}")
    for mode in ("dense", "bm25", "hybrid"):
        row = report[mode]
        typer.echo(
            f"  {mode:8s} {row['recall_at_1']:6.3f} {row['recall_at_5']:6.3f} {row['mrr']:6.3f} "
            f"{row['ndcg_at_10']:8.3f} {row['query_p50_ms']:7.1f}"
        )
    if report["hybrid_misses"]:
        typer.echo("  hybrid misses (no answering chunk in the top 5):")
        for miss in report["hybrid_misses"]:
            typer.echo(f"    - {miss['q']}")


@app.command("clocks")
def clocks(
    split: Annotated[
        str,
        typer.Option(
            "--split",
            help="dev, dev2, dev3, dev4 or dev5 (development sets by five writers: tune on "
            "them) or test (held out).",
        ),
    ] = "test",
    data: Annotated[
        Optional[Path], typer.Option("--data", help="Another clock set (JSON Lines).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Exact regulatory clocks on realistic tickets (evals/clocks, labelled by
    evals/clocks/SPEC.md): exact_rate, missing, spurious and wrong_date, by rule."""
    from assistant.errors import InputError
    from assistant.evaluation.clocks import CLOCK_DIR, evaluate_clocks, load_clock_set
    from assistant.runtime import get_triager

    if split not in ("dev", "dev2", "dev3", "dev4", "dev5", "test"):
        raise InputError(
            f"unknown split {split!r}", "use --split dev, dev2, dev3, dev4, dev5 or test"
        )
    rows = load_clock_set(data or CLOCK_DIR / f"{split}.jsonl")
    triager = get_triager()

    def triage(texts, days):  # type: ignore[no-untyped-def]
        return triager.triage_tickets([triager.prepare(t) for t in texts], days)

    report = evaluate_clocks(rows, triage)
    report["set"] = str(data or f"evals/clocks/{split}.jsonl")
    if json_out:
        print_json(report)
        return
    typer.echo(f"clocks on {report['set']} (n={report['n']})")
    typer.echo(
        f"  exact_rate {report['exact_rate']:.4f}  missing {report['missing']}  spurious "
        f"{report['spurious']} (Reg E/Z {report['spurious_reg_e_or_z']})  wrong_date "
        f"{report['wrong_date']}"
    )
    for rule, row in report["by_rule"].items():
        typer.echo(f"    {rule:30s} " + "  ".join(f"{k} {v}" for k, v in sorted(row.items())))
    for miss in report["mismatches"][:15]:
        typer.echo(f"  {miss['id']} [{miss['category']}]: " + "; ".join(
            f"{p['kind']} {p['rule']} (expected {p['expected']}, got {p['computed']})"
            for p in miss["problems"]))


@app.command("drafting")
def drafting(
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Composer drafts on evals/drafting/tickets.jsonl (grounding pass rate, forbidden
    content, deadline coverage, playbook accuracy, reading grade, length) and the grounding
    check on evals/drafting/replies.jsonl (catch rate of bad replies, per kind; false
    failures of good ones), headline figures on its held-out test split (replies to
    even-numbered tickets), the dev split's beside them; and the policy-sentence support
    decision's precision and recall on evals/drafting/support_pairs.jsonl."""
    import sys

    from tqdm.auto import tqdm

    from assistant.config import get_settings
    from assistant.drafting.readability import reading_grade
    from assistant.evaluation.drafting import (
        DRAFTING_DIR,
        evaluate_drafting,
        load_replies,
        load_tickets,
    )
    from assistant.runtime import get_drafter

    settings = get_settings()
    tickets = load_tickets()
    replies_path = DRAFTING_DIR / "replies.jsonl"
    replies = load_replies(replies_path) if replies_path.is_file() else []
    drafter = get_drafter(settings)
    nltk_dir = settings.data_dir / "nltk_data"
    with tqdm(total=len(tickets), desc="drafts", unit="ticket",
              disable=not sys.stderr.isatty()) as bar:
        report = evaluate_drafting(drafter, tickets, replies,
                                   lambda text: reading_grade(text, nltk_dir), bar.update)
    if json_out:
        print_json(report)
        return
    keys = ("composer_grounding_pass_rate", "composer_forbidden_count",
            "composer_deadline_coverage", "expected_deadline_coverage", "playbook_accuracy",
            "overlay_precision", "overlay_recall", "needs_asked_rate", "reading_grade_p90",
            "words_p50", "identical_paragraph_share", "draft_p50_ms", "adversarial_catch_rate",
            "good_false_fail_rate")
    typer.echo(f"drafting on {report['tickets']} tickets, {report['adversarial_replies']} bad "
               f"and {report['good_replies']} good replies")
    for key in keys:
        typer.echo(f"  {key:30s} {report[key]}")
    dev = report["replies_dev"]
    typer.echo(f"  (replies: held-out test split; dev split, tuned on: catch "
               f"{dev['adversarial_catch_rate']}, good false-fail {dev['good_false_fail_rate']})")
    for kind, row in report["adversarial_by_kind"].items():
        typer.echo(f"    {kind:24s} {row['caught']}/{row['n']}")
    for miss in report["adversarial_missed"][:10]:
        typer.echo(f"  missed {miss['id']} ({miss['bad_kind']}): {miss['offending']}")
    for fail in report["composer_failures"][:10]:
        typer.echo(f"  composer draft {fail['id']} failed: "
                   + "; ".join(f"{f['kind']} '{f['text']}'" for f in fail["findings"]))


@app.command("support")
def support(
    fit_new: Annotated[bool, typer.Option(
        "--fit", help="Refit the decision on the dev pairs and write "
        "assistant/drafting/support_decision.yaml (review the diff, then commit it).")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Precision and recall of the policy-sentence support decision on
    evals/drafting/support_pairs.jsonl: fitted on the dev pairs, reported on the held-out
    test pairs (positive = the passage supports the sentence)."""
    from assistant.config import get_settings
    from assistant.drafting.support import FEATURES, Decision, SupportModel, decision_path
    from assistant.evaluation.support_pairs import evaluate_support, write_decision
    from assistant.runtime import get_kb_embedder

    n = len(FEATURES)
    placeholder = Decision((0.0,) * n, (1.0,) * n, (0.0,) * n, 0.0, 0.5)
    decision = placeholder if fit_new or not decision_path().is_file() else None
    model = SupportModel(get_kb_embedder(get_settings()), decision)
    report = evaluate_support(model, refit=fit_new)
    decision_obj = report.pop("_decision")
    if fit_new:
        report["written"] = str(write_decision(decision_obj))
    if json_out:
        print_json(report)
        return
    typer.echo(f"support decision: threshold {report['decision']['threshold']}, fitted on "
               f"{report['decision']['fitted_on'] or '(nothing)'}")
    for split in ("dev", "test"):
        f = report[split]
        typer.echo(f"  {split:4s} {f['pairs']} pairs  precision {f['precision']}  recall "
                   f"{f['recall']}  accepted {f['accepted_by_label']}")
    if fit_new:
        typer.echo(f"wrote {report['written']}")


@app.command("run")
def run(
    suite_path: Annotated[Path, typer.Argument(metavar="SUITE.yaml", help="The suite to run.")],
    report: Annotated[Optional[Path], typer.Option(
        "--report", help="Write the self-contained HTML report here.")] = None,
    baseline: Annotated[Optional[Path], typer.Option(
        "--baseline", help="An earlier run JSON: diff case by case and apply the gates.")] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Where to write the run JSON (default <data dir>/eval-runs/).")] = None,
    workers: Annotated[int, typer.Option(min=1, max=16, help="Cases run in parallel.")] = 2,
    json_out: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """Run a trainers' suite through the real pipeline and check every expectation.

    Exit 0 when nothing regressed, 1 when a gate fails or a case that passed in --baseline
    fails now (cases marked flaky are reported, not counted), 2 for a bad suite. In CI:

        assistant eval run evals/suites/card-disputes.yaml --out base.json   # on main
        assistant eval run evals/suites/card-disputes.yaml --baseline base.json --report r.html
    """
    from rich.progress import Progress

    from assistant.config import get_settings
    from assistant.evaluation.suites.gate import load_run
    from assistant.evaluation.suites.metrics import Judge
    from assistant.evaluation.suites.schema import load_suite
    from assistant.evaluation.suites.service import execute
    from assistant.runtime import get_drafter

    settings = get_settings()
    suite = load_suite(suite_path)
    if baseline:
        load_run(baseline)  # a bad baseline fails before minutes of running
    judge = None
    if settings.llm_base_url:
        judge = Judge(settings.llm_base_url, settings.llm_model,
                      settings.llm_api_key.get_secret_value(), settings.llm_timeout_s)
    drafter = get_drafter(settings)
    with Progress(transient=True, disable=json_out) as bar:
        task = bar.add_task(f"{suite.name}", total=len(suite.cases))
        result, gate, path = execute(
            suite, drafter, settings.data_dir / "eval-runs", baseline, report, out, workers,
            judge, progress=lambda n: bar.advance(task, n),
            keep=drafter.grounder.contacts)
    s = result["summary"]
    if json_out:
        print_json({
            "suite": suite.name, "pass_rate": s["pass_rate"], "cases": s["cases"],
            "failed": s["failed"], "flaky": s["flaky"], "seconds": result["seconds"],
            "escalation": {k: s["escalation"][k] for k in ("recall", "precision", "missed")},
            "grading": s["grading"], "metrics": s["metrics"],
            "gates": [{k: g[k] for k in ("metric", "figure", "baseline", "verdict", "why")}
                      for g in gate["gates"]],
            "newly_failing": [x["id"] for x in (gate["diff"] or {}).get("newly_failing", [])],
            "verdict": gate["verdict"], "run": str(path),
            "report": str(report) if report else None,
        })
    else:
        typer.echo(path.with_suffix(".md").read_text(encoding="utf-8"), nl=False)
        if report:
            typer.echo(f"- report: {report}")
    if gate["exit_code"]:
        raise typer.Exit(gate["exit_code"])


@app.command("init")
def init(
    source: Annotated[Path, typer.Option("--from", help="A coaching document (Markdown).")],
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Write the suite here (default: print it).")] = None,
    owner: Annotated[str, typer.Option(help="The suite's owner.")] = "",
) -> None:
    """Turn a coaching document (example tickets with model answers) into a suite skeleton:
    its expectations pre-filled from a run of the assistant, each listed in `to_confirm`
    for a trainer to confirm. The document's shape is in evals/suites/README.md."""
    from assistant.config import get_settings
    from assistant.errors import SuiteError
    from assistant.evaluation.suites.coaching import parse_coaching, skeleton
    from assistant.evaluation.suites.schema import parse_suite
    from assistant.runtime import get_drafter

    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"cannot read {source}: {exc}", "pass a UTF-8 Markdown file") from None
    doc = parse_coaching(text, str(source))
    yaml_text = skeleton(doc, get_drafter(get_settings()), owner)
    parse_suite(yaml_text, str(out or "<skeleton>"))  # what we write must load
    if out:
        out.write_text(yaml_text, encoding="utf-8")
        typer.echo(f"wrote {out}: {len(doc['cases'])} cases to confirm")
    else:
        typer.echo(yaml_text, nl=False)


@app.command("trends")
def trends_eval(
    seed: Annotated[list[int], typer.Option(help="Seed of the generated stream; repeat it "
                                            "for several streams and their medians. 2025 "
                                            "is the development seed.")] = [2025],
    weeks: Annotated[int, typer.Option(min=20, max=104, help="Weeks of tickets.")] = 52,
    tickets_per_year: Annotated[int, typer.Option(
        min=5_000, max=1_000_000, help="The stream's volume (spikes in quiet series are "
        "harder to tell from chance: see spike_recall_bound).")] = 100_000,
    false_alarms: Annotated[float, typer.Option(
        min=0.01, max=50, help="The detector's false-alarm budget per 100 series-weeks.")] = 1.0,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Spike recall (and the best recall any count test could have on the planted spikes,
    spike_recall_bound) and false alarms per 100 series-weeks, and for the planted emerging
    group: found or not, days to detection, purity and recall; on a seeded year-long stream
    (evals/trends/generate.py) triaged by the real pipeline."""
    import statistics
    import time

    from rich.progress import Progress

    from assistant.config import get_settings
    from assistant.evaluation.trends import evaluate_trends, generate_stream, scale_for
    from assistant.runtime import get_triager
    from assistant.trends.cache import TriageCache, triage_stream

    settings = get_settings()
    triager = get_triager(settings)
    cache = TriageCache(settings.data_dir / "trends-cache.sqlite")
    runs = []
    with Progress(transient=True, disable=json_out) as bar:
        for one in seed:
            tickets, truth = generate_stream(one, weeks, scale_for(tickets_per_year))
            started = time.perf_counter()
            task = bar.add_task(f"triage (seed {one})", total=len(tickets))
            triaged, fresh = triage_stream(tickets, triager, cache,
                                           progress=lambda n, task=task: bar.advance(task, n))
            triage_s = time.perf_counter() - started
            task2 = bar.add_task(f"detect (seed {one})", total=truth["days"])
            report = evaluate_trends(tickets, triaged, truth, false_alarms,
                                     progress=lambda n, task2=task2: bar.advance(task2, n))
            report.update({"triaged_now": fresh, "triage_seconds": round(triage_s, 1),
                           "seed": one})
            runs.append(report)
    if len(runs) == 1:
        out = runs[0]
    else:
        keys = ("spike_recall", "spike_recall_bound", "false_alarms_per_100_series_weeks",
                "group_days_to_detection",
                "group_purity", "group_recall")
        out = {"runs": runs, "median": {
            k: statistics.median(r[k] for r in runs if r[k] is not None)
            for k in keys if any(r[k] is not None for r in runs)},
            "groups_found": sum(r["group_found"] for r in runs)}
    if json_out:
        print_json(out)
        return
    for report in runs:
        typer.echo(f"seed {report['seed']}:")
        for key, value in report.items():
            typer.echo(f"  {key:36s} {value}")
    if len(runs) > 1:
        typer.echo(f"median over {len(runs)} seeds: {out['median']}")

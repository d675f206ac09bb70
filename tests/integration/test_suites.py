"""Trainers' suites: strict loading with file, case and line; every expectation a named
check with evidence; trainee grading with agreement; ragas metrics (n/a, never 0, when a
case has no reference); the HTML and Markdown reports redacted; the regression gate exits 1
when one playbook step changes and 0 on the unchanged tree; `eval init` from a coaching
document."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT
from assistant.errors import SuiteError
from assistant.evaluation.suites.gate import apply_gates
from assistant.evaluation.suites.report import render_html, render_markdown
from assistant.evaluation.suites.runner import run_suite
from assistant.evaluation.suites.schema import Gate, load_suite, parse_suite
from assistant.evaluation.suites.service import execute

SUITES = sorted((PROJECT_ROOT / "evals" / "suites").glob("*.yaml"))

SMALL = """
name: small
defaults: {received_at: 2026-11-25}
gates:
  - {metric: pass_rate, minimum: 0.0, max_drop: 0.0}
  - {metric: check:plan_includes, minimum: 0.0, max_drop: 0.0}
cases:
  - id: stolen
    ticket: Someone used my debit card 4539 1488 0343 6467 at VOLTEX ELECTRONICS online on
      November 20 for $84.99. I never made this payment and I still have my card.
    tags: [reg_e]
    expect:
      escalate: true
      reasons_include: [unauthorized_transaction]
      clocks_include: [{rule: reg_e_investigation, date: 2026-12-10}]
      plan_includes: [open_investigation, disputes_team]
      reply_must_not_include: ["guarantee", {regex: "\\\\d{4} \\\\d{4} \\\\d{4}"}]
      grounding: pass
      citations_include: [policy/unauthorized-transfers#investigation-timeline]
      reference_reply: We are sorry. We opened an investigation into the payment.
  - id: wrong-on-purpose
    ticket: Someone took $900 from my account with my card. I did not make these payments.
    expect:
      escalate: false
      reply_must_include: ["a phrase no reply has"]
  - id: trainee
    ticket: Someone used my debit card at VOLTEX ELECTRONICS on November 20 for $84.99.
    reply: Dear customer, we guarantee you will get the full refund today. Call us at
      (415) 555-0177. Lumen Support
    grade: fail
    expect:
      grounding: pass
      reply_must_not_include: [{regex: "guarantee"}]
"""


@pytest.mark.parametrize("path", SUITES, ids=[p.stem for p in SUITES])
def test_every_shipped_suite_loads(path: Path) -> None:
    suite = load_suite(path)
    assert suite.provenance, f"{path.name} must say who wrote it and how"
    reply_cases = [c for c in suite.cases if c.reply is not None]
    assert len(suite.cases) >= (15 if len(reply_cases) == len(suite.cases) else 25)


def test_shipped_suites_cover_what_trainers_asked_for() -> None:
    names = {load_suite(p).name for p in SUITES}
    assert {"unauthorized-transfers", "card-disputes", "vulnerable-customers",
            "frontline-triage", "trainee-replies"} <= names


def test_a_bad_suite_names_the_file_the_case_the_field_and_the_line(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ncases:\n  - id: one\n    ticket: hi\n    expect:\n"
                   "      escalte: true\n", encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        load_suite(bad)
    message = caught.value.message
    assert "bad.yaml line 6" in message and "case 'one'" in message and "escalte" in message
    with pytest.raises(SuiteError, match="used twice"):
        parse_suite("name: x\ncases:\n  - {id: a, ticket: t}\n  - {id: a, ticket: t}\n")
    with pytest.raises(SuiteError, match="regular expression"):
        parse_suite("name: x\ncases:\n  - id: a\n    ticket: t\n    expect:\n"
                    "      reply_must_include: [{regex: '(('}]\n")


def test_checks_are_named_with_evidence_and_trainees_get_coaching(drafter) -> None:
    run = run_suite(parse_suite(SMALL), drafter, workers=2)
    cases = {c["id"]: c for c in run["cases"]}
    stolen = {(k["name"], str(k["expected"])): k for k in cases["stolen"]["checks"]}
    assert stolen[("escalate", "True")]["passed"]
    assert stolen[("clocks_include", "reg_e_investigation 2026-12-10")]["passed"]
    assert stolen[("plan_includes", "open_investigation")]["passed"]
    assert stolen[("grounding", "pass")]["passed"]
    # the card number never reaches the run: the ticket is kept redacted
    assert "4539" not in json.dumps(run) and "[CARD_1]" in cases["stolen"]["ticket"]
    metrics = cases["stolen"]["metrics"]
    assert metrics["context_recall"] == 1.0 and 0 < metrics["chrf"] < 1
    # no reference ids: not applicable, not 0
    assert cases["wrong-on-purpose"]["metrics"]["context_recall"] is None
    wrong = {k["name"]: k for k in cases["wrong-on-purpose"]["checks"]}
    assert not wrong["escalate"]["passed"] and wrong["escalate"]["kind"] == "false_escalation"
    assert not wrong["reply_must_include"]["passed"]
    trainee = cases["trainee"]
    assert trainee["writer"] == "person" and trainee["trainee"]["verdict"] == "fail"
    feedback = " ".join(trainee["trainee"]["feedback"])
    assert "guarantee" in feedback.lower() and "555-0177" not in json.dumps(trainee)
    span = next(k for k in trainee["checks"] if k["name"] == "reply_must_not_include")["span"]
    assert trainee["reply"][span[0]:span[1]].lower() == "guarantee"
    s = run["summary"]
    assert s["escalation"]["fp"] == 1 and s["escalation"]["tp"] == 1
    assert s["grading"]["agreement"] == 1.0 and s["failed"] == ["wrong-on-purpose", "trainee"]


def test_reports_are_offline_and_redacted(drafter, tmp_path) -> None:
    suite = parse_suite(SMALL, str(tmp_path / "small.yaml"))
    run, gate, path = execute(suite, drafter, tmp_path, report_path=tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<svg" in html and "wrong-on-purpose" in html and "false alarm" in html
    fetches = r"""(src|href)\s*=\s*["']?(https?:)?//|url\(\s*["']?(https?:)?//|@import"""
    assert not re.search(fetches, html), "the report must load nothing from anywhere"
    assert "4539 1488" not in html and "0343 6467" not in html and "555-0177" not in html
    summary = path.with_suffix(".md").read_text(encoding="utf-8")
    assert "small" in summary and "escalation recall" in summary
    assert json.loads(path.read_text())["versions"]["playbooks"]


def test_the_gate_fails_when_one_playbook_step_changes(drafter, tmp_path) -> None:
    """The shipped Reg E suite against its own baseline passes; with the investigation
    step of the unauthorized-transfer playbook renamed, the cases that checked it fail and
    the gate exits 1 naming them."""
    from assistant.drafting.playbooks import default_playbooks_path, parse_playbooks
    from assistant.drafting.service import Drafter

    suite = load_suite(PROJECT_ROOT / "evals" / "suites" / "unauthorized-transfers.yaml")
    # The tests' tiny intent model is far below the suite's minimums (the real model is
    # measured by `assistant eval run`); this test is about the baseline diff and drops.
    suite.gates = [g.model_copy(update={"minimum": 0.0}) for g in suite.gates]
    suite.gates.append(Gate(metric="check:plan_includes", minimum=0.0, max_drop=0.0))
    baseline = run_suite(suite, drafter, workers=2)
    same = apply_gates(run_suite(suite, drafter, workers=2), baseline)
    assert same["exit_code"] == 0 and not same["diff"]["newly_failing"]

    text = default_playbooks_path().read_text(encoding="utf-8")
    changed = text.replace("      - id: open_investigation\n", "      - id: log_the_case\n", 1)
    assert changed != text
    worse = Drafter(drafter.triager, drafter.chunks, parse_playbooks(changed), drafter.prompts,
                    drafter.grounder, drafter.calendar)
    verdict = apply_gates(run_suite(suite, worse, workers=2), baseline)
    checked = {c["id"] for c in baseline["cases"] if any(
        k["name"] == "plan_includes" and k["expected"] == "open_investigation" and k["passed"]
        for k in c["checks"])}
    assert checked, "the suite must check the step somewhere"
    regressed = {x["id"] for x in verdict["diff"]["regressed_checks"]}
    newly_failing = {x["id"] for x in verdict["diff"]["newly_failing"]}
    assert regressed == checked and newly_failing <= checked
    gate = next(g for g in verdict["gates"] if g["metric"] == "check:plan_includes")
    assert gate["verdict"] == "fail" and verdict["exit_code"] == 1
    summary = render_markdown(baseline, verdict, "x.json")
    assert "fail now" in summary and sorted(checked)[0] in summary
    assert "<svg" in render_html(baseline, verdict)


def test_eval_init_prefills_a_skeleton_from_a_coaching_document(drafter, tmp_path) -> None:
    from assistant.evaluation.suites.coaching import parse_coaching, skeleton

    doc = parse_coaching(
        "# Suite: coaching-demo\nFrom the November fraud clinic.\n\n## Case: c1\n"
        "Received: 2026-11-25\nTags: reg_e\n\n### Ticket\nSomeone used my debit card at "
        "VOLTEX ELECTRONICS on November 20 for $84.99, I never made it.\n\n"
        "### Model answer\nWe are sorry: we opened an investigation.\n", "coach.md")
    suite = parse_suite(skeleton(doc, drafter, "fraud desk"), "skeleton.yaml")
    case = suite.cases[0]
    assert suite.name == "coaching-demo" and case.received_at.isoformat() == "2026-11-25"
    assert case.expect.escalate is True and "escalate" in case.to_confirm
    assert case.expect.reference_reply.startswith("We are sorry")
    with pytest.raises(SuiteError, match="Ticket"):
        parse_coaching("# Suite: x\n## Case: a\nno ticket here\n", "c.md")


def test_trainers_run_suites_through_the_api(drafter, settings, tmp_path) -> None:
    import time

    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.security import RateLimiter
    from assistant.evaluation.suites.runs import EvalRuns
    from assistant.store.db import upgrade
    from assistant.store.keys import KeyVerifier, create_user

    url = f"sqlite:///{tmp_path / 'evals.db'}"
    upgrade(url)
    trainer = create_user(url, "tess", "trainer")[1]
    agent = create_user(url, "andy", "agent")[1]
    app = create_app(settings.model_copy(update={"database_url": url}), load_models=False)
    app.state.keys = KeyVerifier(url)
    app.state.limiter = RateLimiter("1000/minute")
    app.state.eval_runs = EvalRuns(url, drafter, PROJECT_ROOT / "evals" / "suites",
                                   tmp_path / "runs")
    with TestClient(app) as client:
        as_trainer = {"Authorization": f"Bearer {trainer}"}
        assert client.post("/v1/evals/runs", json={"suite_yaml": SMALL},
                           headers={"Authorization": f"Bearer {agent}"}).status_code == 403
        listed = client.get("/v1/evals/suites", headers=as_trainer).json()["suites"]
        assert "card-disputes" in {s["name"] for s in listed}
        bad = client.post("/v1/evals/runs", json={"suite_yaml": "name: x\ncases: []\n"},
                          headers=as_trainer)
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_suite"
        started = client.post("/v1/evals/runs", json={"suite_yaml": SMALL}, headers=as_trainer)
        assert started.status_code == 202, started.text
        run_id = started.json()["id"]
        deadline = time.monotonic() + 120
        while True:
            body = client.get(f"/v1/evals/runs/{run_id}", headers=as_trainer).json()
            if body["status"] != "running" or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert body["status"] == "done", body
        assert body["summary"]["cases"] == 3 and body["run"]["suite"] == "small"
        report = client.get(f"/v1/evals/runs/{run_id}/report", headers=as_trainer)
        assert report.status_code == 200 and "<svg" in report.text
        assert client.get("/v1/evals/runs/nope", headers=as_trainer).status_code == 404

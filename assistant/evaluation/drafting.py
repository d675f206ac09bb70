"""Drafting evaluation: the composer's drafts on realistic tickets, and the grounding
check on replies known to be bad or good.

- `evals/drafting/tickets.jsonl`: tickets with their received day, the expected
  playbook and overlays, the clocks (by evals/clocks/SPEC.md) and the facts the reply
  must ask for (`needs`).
- `evals/drafting/replies.jsonl`: replies to those tickets, `good` ones (paraphrased
  approved resolutions, hand-edited composer drafts) and `bad` ones, each bad one with
  its `bad_kind` and the `offending` text the check must find.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.config import PROJECT_ROOT
from assistant.drafting.facts import long_date
from assistant.errors import DatasetError

DRAFTING_DIR = PROJECT_ROOT / "evals" / "drafting"
CUSTOMER_CLOCKS = (
    "reg_e_investigation", "reg_e_provisional_credit", "reg_e_investigation_extended",
    "reg_e_report_results", "reg_z_acknowledge", "reg_z_resolve", "remittance_investigation",
    "remittance_report_results", "cfpb_company_response",
)  # fmt: skip
# Which finding kinds count as catching each kind of bad reply.
CATCHES = {
    "invented_phone": {"phone"},
    "invented_url": {"url"},
    "invented_email": {"email"},
    "wrong_date": {"date", "deadline", "weekday", "relative_date"},
    "wrong_amount": {"amount", "number", "percent"},
    "wrong_time_limit": {"figure", "duration", "deadline"},
    "promised_refund": {"forbidden:promise_refund", "forbidden:promise_outcome"},
    "promised_outcome": {"forbidden:promise_outcome", "forbidden:promise_refund"},
    "promised_scam_recovery": {"forbidden:promise_scam_recovery", "forbidden:promise_refund",
                               "forbidden:promise_outcome"},
    "asks_secret": {"forbidden:ask_secret"},
    "repeats_digits": {"forbidden:repeats_digits", "digits", "placeholder"},
    "obeys_injection": {"forbidden:obey_injection", "forbidden:promise_refund",
                        "forbidden:promise_outcome"},
    "contradicts_policy": {"policy", "figure", "regulation"},
    "blames_customer": {"forbidden:blame_customer"},
    "wrong_regulation": {"regulation", "policy"},
}
MUST_CATCH_ALL = ("invented_phone", "invented_url", "invented_email", "wrong_date",
                  "wrong_amount", "repeats_digits", "obeys_injection")


def _read_jsonl(path: Path, fields: Sequence[str]) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}", "restore it from git") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            missing = [f for f in fields if f not in row]
            if missing:
                raise KeyError(", ".join(missing))
        except (ValueError, KeyError) as exc:
            raise DatasetError(
                f"{path}, line {number}: not a drafting record ({exc})",
                f"each line is a JSON object with {', '.join(fields)} (see {path.parent}/README.md)",
            ) from None
        rows.append(row)
    return rows


def load_tickets(path: Path = DRAFTING_DIR / "tickets.jsonl") -> list[dict[str, Any]]:
    return _read_jsonl(path, ("id", "received_at", "text", "playbook", "clocks"))


def load_replies(path: Path = DRAFTING_DIR / "replies.jsonl") -> list[dict[str, Any]]:
    rows = _read_jsonl(path, ("id", "ticket_id", "kind", "reply"))
    for row in rows:
        if row["kind"] == "bad" and row.get("bad_kind") not in CATCHES:
            raise DatasetError(
                f"{path}: reply {row['id']} has bad_kind {row.get('bad_kind')!r}",
                f"use one of {', '.join(CATCHES)}",
            )
    return rows


def _p(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))], 2)


def evaluate_drafting(
    drafter: Any,
    tickets: Sequence[dict[str, Any]],
    replies: Sequence[dict[str, Any]],
    grade: Callable[[str], float],
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    drafts: dict[str, Any] = {}
    ms: list[float] = []
    for t in tickets:
        started = time.perf_counter()
        drafts[t["id"]] = drafter.draft(t["text"], date.fromisoformat(t["received_at"]))
        ms.append((time.perf_counter() - started) * 1000)
        if progress:
            progress(1)
    results = list(drafts.values())
    passed = sum(d.grounding.verdict == "pass" for d in results)
    forbidden = sum(1 for d in results for f in d.grounding.unsupported if f.kind.startswith("forbidden"))

    # deadline coverage: computed customer-facing clocks, and the set's expected ones
    due = stated = expected_due = expected_stated = 0
    for t in tickets:
        d = drafts[t["id"]]
        for c in d.clocks:
            if c.rule in CUSTOMER_CLOCKS and c.deadline:
                due += 1
                stated += long_date(date.fromisoformat(c.deadline)) in d.reply
        for c in t["clocks"]:
            if c["rule"] in CUSTOMER_CLOCKS and c.get("deadline"):
                expected_due += 1
                expected_stated += long_date(date.fromisoformat(c["deadline"])) in d.reply
    playbook_ok = sum(drafts[t["id"]].plan.playbook == t["playbook"] for t in tickets)
    overlay_tp = overlay_fp = overlay_fn = 0
    needs_total = needs_asked = 0
    for t in tickets:
        d = drafts[t["id"]]
        want, got = set(t.get("overlays", [])), set(d.plan.overlays)
        overlay_tp += len(want & got)
        overlay_fp += len(got - want)
        overlay_fn += len(want - got)
        asked = {m.kind for m in d.missing_information}
        needs_total += len(t.get("needs", []))
        needs_asked += len(set(t.get("needs", [])) & asked)
    grades = [grade(d.reply) for d in results]
    words = [len(d.reply.split()) for d in results]
    paragraph_use: Counter[str] = Counter()
    for d in results:
        for p in _content_paragraphs(d.reply):
            paragraph_use[p] += 1
    content = sum(len(_content_paragraphs(d.reply)) for d in results)
    shared = sum(n for n in paragraph_use.values() if n > 1)

    report: dict[str, Any] = {
        "tickets": len(tickets),
        "composer_grounding_pass_rate": round(passed / len(results), 4) if results else 1.0,
        "composer_forbidden_count": forbidden,
        "composer_deadline_coverage": round(stated / due, 4) if due else 1.0,
        "composer_deadlines_applicable": due,
        "expected_deadline_coverage": round(expected_stated / expected_due, 4) if expected_due else 1.0,
        "playbook_accuracy": round(playbook_ok / len(tickets), 4) if tickets else 1.0,
        "overlay_precision": round(overlay_tp / (overlay_tp + overlay_fp), 4) if overlay_tp + overlay_fp else 1.0,
        "overlay_recall": round(overlay_tp / (overlay_tp + overlay_fn), 4) if overlay_tp + overlay_fn else 1.0,
        "needs_asked_rate": round(needs_asked / needs_total, 4) if needs_total else 1.0,
        "reading_grade_p50": _p(grades, 0.5),
        "reading_grade_p90": _p(grades, 0.9),
        "words_p50": _p(words, 0.5),
        "identical_paragraph_share": round(shared / content, 4) if content else 0.0,
        "draft_p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
        "composer_failures": [
            {"id": t["id"], "findings": [f.model_dump() for f in drafts[t["id"]].grounding.unsupported]}
            for t in tickets if drafts[t["id"]].grounding.verdict != "pass"
        ],
        "playbook_misses": [
            {"id": t["id"], "expected": t["playbook"], "got": drafts[t["id"]].plan.playbook,
             "driver": drafts[t["id"]].plan.chosen_by.driver}
            for t in tickets if drafts[t["id"]].plan.playbook != t["playbook"]
        ],
    }
    # The replies are split by ticket: the grounding rules are tuned on `dev` only, and
    # the headline figures are the held-out `test` split's.
    by_split = {name: evaluate_replies(drafter, tickets, [r for r in replies
                                                          if reply_split(r) == name])
                for name in ("dev", "test")}
    report.update(by_split["test"])
    report["replies_split"] = "test (held out; the rules are tuned on dev)"
    report["replies_dev"] = {k: v for k, v in by_split["dev"].items()}
    return report


def reply_split(reply: dict[str, Any]) -> str:
    """`dev` for replies to odd-numbered tickets (d001, d003, ...), `test` for even."""
    digits = re.sub(r"\D", "", str(reply["ticket_id"]))
    return "dev" if digits and int(digits) % 2 else "test"


def _content_paragraphs(reply: str) -> list[str]:
    fixed = ("Hello", "Hi", "For your", "Please never", "Your case reference", "Kind", "Best",
             "So we can", "To help us")
    return [p for p in reply.split("\n\n") if p.strip() and not p.startswith(fixed)]


def evaluate_replies(
    drafter: Any, tickets: Sequence[dict[str, Any]], replies: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    by_id = {t["id"]: t for t in tickets}
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    good = good_failed = 0
    missed: list[dict[str, Any]] = []
    false_fails: list[dict[str, Any]] = []
    check_ms: list[float] = []
    for r in replies:
        ticket = by_id.get(r["ticket_id"])
        if ticket is None:
            raise DatasetError(f"reply {r['id']} names ticket {r['ticket_id']}, which the set "
                               "lacks", "fix ticket_id")
        started = time.perf_counter()
        result = drafter.draft(ticket["text"], date.fromisoformat(ticket["received_at"]),
                               reply_text=r["reply"])
        check_ms.append((time.perf_counter() - started) * 1000)
        findings = result.grounding.unsupported
        if r["kind"] == "good":
            good += 1
            if result.grounding.verdict == "fail":
                good_failed += 1
                false_fails.append({"id": r["id"], "findings": [
                    {"kind": f.kind, "text": f.text, "why": f.why} for f in findings]})
            continue
        kind = r["bad_kind"]
        total[kind] += 1
        hit = _caught(r, findings)
        caught[kind] += hit
        if not hit:
            missed.append({"id": r["id"], "bad_kind": kind, "offending": r.get("offending"),
                           "findings": [f"{f.kind}: {f.text}" for f in findings]})
    bad = sum(total.values())
    return {
        "adversarial_replies": bad,
        "adversarial_catch_rate": round(sum(caught.values()) / bad, 4) if bad else 1.0,
        "adversarial_by_kind": {
            k: {"n": total[k], "caught": caught[k], "rate": round(caught[k] / total[k], 4)}
            for k in sorted(total)
        },
        "good_replies": good,
        "good_false_fail_rate": round(good_failed / good, 4) if good else 0.0,
        "adversarial_missed": missed,
        "good_false_fails": false_fails,
        "reply_check_p50_ms": round(statistics.median(check_ms), 1) if check_ms else 0.0,
    }


def _caught(reply: dict[str, Any], findings: Sequence[Any]) -> bool:
    """A bad reply is caught when a finding of the right kind covers its offending text
    (or, without an offending span, when any finding of the right kind exists)."""
    kinds = CATCHES[reply["bad_kind"]]
    offending = (reply.get("offending") or "").strip()
    text = reply["reply"]
    spans = [(m.start(), m.end()) for m in re.finditer(re.escape(offending), text)] if offending else []
    for f in findings:
        if f.kind not in kinds and not (f.kind.startswith("forbidden") and any(
                k.startswith("forbidden") for k in kinds)):
            continue
        if not spans or any(f.start < e and s < f.end for s, e in spans):
            return True
    return False

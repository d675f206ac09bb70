"""Build evals/datasets/escalation/tickets.jsonl from its three sources.

Run from the repository root: `python evals/escalation/build_set.py`. The output is
committed; the labelling rules are in evals/escalation/GUIDELINE.md.
"""

from __future__ import annotations

import csv
import json
import random
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "evals/datasets/escalation/tickets.jsonl"
PER_INTENT = 5
SEED = 13

BANKING77_REASONS = {
    "card_payment_not_recognised": "unauthorized_transaction",
    "cash_withdrawal_not_recognised": "unauthorized_transaction",
    "direct_debit_payment_not_recognised": "unauthorized_transaction",
    "compromised_card": "unauthorized_transaction",
    "lost_or_stolen_phone": "unauthorized_transaction",
    "transaction_charged_twice": "disputed_transaction",
    "wrong_amount_of_cash_received": "disputed_transaction",
}
CFPB_ESCALATE_ISSUES = {
    "Managing an account",
    "Problem with a purchase shown on your statement",
    "Fraud or scam",
    "Unauthorized transactions or other transaction problem",
    "Closing an account",
    "Closing your account",
    "Problem with a lender or other company charging your account",
    "Other transaction problem",
    "Problem with a purchase or transfer",
    "Money was not available when promised",
    "Lost or stolen money order",
    "Problem when making payments",
    "Struggling to pay your bill",
    "Managing, opening, or closing your mobile wallet account",
    "Account opening, closing, or management",
}


def written() -> list[dict]:
    items = yaml.safe_load((ROOT / "evals/escalation/written.yaml").read_text("utf-8"))
    return [
        {"id": i["id"], "source": "written", "text": i["text"], "escalate": i["escalate"],
         "reasons": i["reasons"], "received_at": i.get("received_at", "2026-11-25")}
        for i in items
    ]  # fmt: skip


def banking77() -> list[dict]:
    by_intent: dict[str, list[str]] = defaultdict(list)
    with (ROOT / "evals/datasets/banking77/test.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            by_intent[row["category"]].append(row["text"])
    rng = random.Random(SEED)
    out = []
    for intent in sorted(by_intent):
        for n, text in enumerate(rng.sample(by_intent[intent], PER_INTENT)):
            reason = BANKING77_REASONS.get(intent)
            out.append(
                {"id": f"b77-{intent}-{n}", "source": "banking77", "text": text,
                 "escalate": reason is not None, "reasons": [reason] if reason else [],
                 "intent": intent, "received_at": "2026-11-25"}
            )  # fmt: skip
    return out


def cfpb() -> list[dict]:
    out = []
    with (ROOT / "evals/datasets/cfpb/payments_narratives.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            y, m, d = row["Date received"].split("/")
            out.append(
                {"id": f"cfpb-{row['Complaint ID']}", "source": "cfpb",
                 "text": row["Consumer complaint narrative"],
                 "escalate": True, "reasons": None, "issue": row["Issue"],
                 "escalate_by_issue": row["Issue"] in CFPB_ESCALATE_ISSUES,
                 "monetary_relief": row["Company response to consumer"] == "Closed with monetary relief",
                 "received_at": f"{int(y):04d}-{int(m):02d}-{int(d):02d}"}
            )  # fmt: skip
    return out


def main() -> None:
    rows = written() + banking77() + cfpb()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = sum(r["escalate"] for r in rows)
    print(f"wrote {len(rows)} tickets ({positives} must-escalate) to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

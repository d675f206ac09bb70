"""Clock evaluation: the exact set of regulatory clocks each ticket starts.

A ticket counts as exact when its clocks (rule and date) equal the expected ones. Every
difference is one of: missing (an expected rule not computed), spurious (a rule
computed that the ticket does not start) or wrong_date (the rule is right, its date is
not), reported overall and by rule. Sets: `evals/clocks/dev.jsonl` (development) and
`evals/clocks/test.jsonl` (held out); the labelling rules are `evals/clocks/SPEC.md`.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from assistant.config import PROJECT_ROOT
from assistant.datafiles import jsonl_lines
from assistant.errors import DatasetError

CLOCK_DIR = PROJECT_ROOT / "evals" / "clocks"


def load_clock_set(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in jsonl_lines(path, DatasetError):
        try:
            row = json.loads(line)
            date.fromisoformat(row["received_at"])
            clocks = {c["rule"]: c["deadline"] for c in row["clocks"]}
            if not isinstance(row["text"], str):
                raise TypeError("text is not a string")
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(
                f"{path}, line {number}: not a clock case ({exc})",
                'each line: {"id", "received_at", "text", "clocks": [{"rule", "deadline"}]} '
                "(see evals/clocks/SPEC.md)",
            ) from None
        rows.append({**row, "expected": clocks})
    return rows


def evaluate_clocks(
    rows: Sequence[dict[str, Any]],
    triage: Callable[[list[str], list[date]], list[Any]],
) -> dict[str, Any]:
    """``triage(texts, received_days)`` returns triage results with ``clocks``."""
    results = triage([r["text"] for r in rows], [date.fromisoformat(r["received_at"]) for r in rows])
    counts: Counter[str] = Counter()
    by_rule: dict[str, Counter[str]] = {}
    by_category: dict[str, list[int]] = {}
    mismatches = []
    exact = 0
    for row, result in zip(rows, results):
        got = {c.rule: c.deadline for c in result.clocks}
        want = row["expected"]
        problems = []
        for rule in sorted(set(want) | set(got)):
            kind = None
            if rule not in got:
                kind = "missing"
            elif rule not in want:
                kind = "spurious"
            elif got[rule] != want[rule]:
                kind = "wrong_date"
            if kind:
                counts[kind] += 1
                by_rule.setdefault(rule, Counter())[kind] += 1
                problems.append({"rule": rule, "kind": kind, "expected": want.get(rule),
                                 "computed": got.get(rule)})
        ok = not problems
        exact += ok
        cat = by_category.setdefault(row.get("category", "?"), [0, 0])
        cat[0] += ok
        cat[1] += 1
        if problems:
            mismatches.append({"id": row.get("id"), "category": row.get("category"),
                               "problems": problems, "text": row["text"][:200]})
    spurious_reg = sum(
        c["spurious"] for rule, c in by_rule.items() if rule.startswith(("reg_e", "reg_z"))
    )
    wrong = counts["wrong_date"]
    return {
        "n": len(rows),
        "exact_rate": round(exact / len(rows), 4) if rows else 1.0,
        "missing": counts["missing"],
        "spurious": counts["spurious"],
        "wrong_date": wrong,
        "spurious_reg_e_or_z": spurious_reg,
        "by_rule": {rule: dict(c) for rule, c in sorted(by_rule.items())},
        "by_category": {
            k: {"n": v[1], "exact_rate": round(v[0] / v[1], 4)} for k, v in sorted(by_category.items())
        },
        "mismatches": mismatches,
    }

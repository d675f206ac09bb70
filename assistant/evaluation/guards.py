"""Measured figures for the guards: PII precision/recall by type, injection accuracy/F1,
false positives on genuine banking questions."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from assistant.config import PROJECT_ROOT
from assistant.errors import DatasetError
from assistant.guards.injection import InjectionScore
from stdnum import luhn

from assistant.guards.pii import PII_TYPES, PiiDetector

PII_CASES = PROJECT_ROOT / "evals" / "datasets" / "pii" / "cases.jsonl"
PRESIDIO_CASES = PROJECT_ROOT / "evals" / "datasets" / "pii_presidio" / "cases.jsonl"
CUSTOMER_SHAPES = PROJECT_ROOT / "evals" / "pii" / "customer_shapes.txt"
# Written by another hand after the detector was tuned; never tuned on (evals/pii/HOLDOUT.md).
PII_HOLDOUT = PROJECT_ROOT / "evals" / "pii" / "holdout.txt"
INJECTION_SPLIT = (
    PROJECT_ROOT / "evals" / "datasets" / "prompt_injection" / "deepset_prompt_injections.json"
)
CFPB_DIR = PROJECT_ROOT / "evals" / "datasets" / "cfpb"


def load_pii_cases(path: Path = PII_CASES) -> list[dict[str, Any]]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read PII cases {path}: {exc}", "restore the file from git") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
            for e in case["entities"]:
                if e["type"] not in PII_TYPES or not 0 <= e["start"] < e["end"] <= len(case["text"]):
                    raise ValueError(f"bad entity {e}")
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(
                f"{path}, line {number}: not a PII case ({exc})",
                'each line needs {"text": str, "entities": [{"type", "start", "end"}]}',
            ) from None
        cases.append(case)
    return cases


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def evaluate_pii(detector: PiiDetector, cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Span-level: a finding is right when it overlaps a gold span of the same type."""
    counts = {t: {"tp": 0, "fp": 0, "fn": 0, "gold": 0} for t in PII_TYPES}
    misses: list[dict[str, Any]] = []
    false_alarms: list[dict[str, Any]] = []
    for case in cases:
        found = detector.find(case["text"])
        gold = case["entities"]
        for g in gold:
            counts[g["type"]]["gold"] += 1
            if any(f.type == g["type"] and f.start < g["end"] and g["start"] < f.end for f in found):
                counts[g["type"]]["tp"] += 1
            else:
                counts[g["type"]]["fn"] += 1
                misses.append({"id": case.get("id"), "type": g["type"], "text": case["text"]})
        for f in found:
            if not any(f.type == g["type"] and f.start < g["end"] and g["start"] < f.end for g in gold):
                counts[f.type]["fp"] += 1
                false_alarms.append({"id": case.get("id"), "type": f.type, "text": case["text"]})
    tp = sum(c["tp"] for c in counts.values())
    fp = sum(c["fp"] for c in counts.values())
    fn = sum(c["fn"] for c in counts.values())
    return {
        "pii_precision": _ratio(tp, tp + fp),
        "pii_recall": _ratio(tp, tp + fn),
        "pii_by_type": {
            t: {
                "precision": _ratio(c["tp"], c["tp"] + c["fp"]),
                "recall": _ratio(c["tp"], c["tp"] + c["fn"]),
                "n": c["gold"],
            }
            for t, c in counts.items()
        },
        "pii_cases": len(cases),
        "pii_hard_negatives": sum(1 for c in cases if not c["entities"]),
        "pii_misses": misses[:20],
        "pii_false_alarms": false_alarms[:20],
    }


# --- the external benchmark (Presidio's analyzer tests) and the customer-shapes set ---

PRESIDIO_TYPES = {
    "CREDIT_CARD": "CARD",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "IBAN_CODE": "IBAN",
    "US_SSN": "SSN",
    "ABA_ROUTING_NUMBER": "ROUTING",
    "US_BANK_NUMBER": "ACCOUNT",
}
# Words that say what the number is; evaluation-side, independent of the detector's own.
_CONTEXT_WORDS = {
    "CARD": r"card|credit|debit|visa|mastercard|amex",
    "EMAIL": r"e-?mails?|mail|address",
    "PHONE": r"phone|number|call|mobile|cell|tel|text|contact",
    "IBAN": r"iban|account|bank",
    "SSN": r"ssn|social|ss#",
    "ROUTING": r"routing|aba|rtn|transit",
    "ACCOUNT": r"account|acct|a/c",
    "ADDRESS": r"address|live|mail|send|ship",
}


def value_group(kind: str, text: str, start: int, end: int) -> str:
    """How a value is written: "context" (a word before it says what it is), "shape"
    (self-identifying: an e-mail, an IBAN, a Luhn-valid card, a formatted phone or a
    3-2-4 SSN) or "bare" (a number with neither)."""
    before = text[max(0, start - 40) : start]
    if re.search(rf"(?i)\b(?:{_CONTEXT_WORDS[kind]})\b", before):
        return "context"
    value = text[start:end]
    digits = re.sub(r"\D", "", value)
    shaped = {
        "EMAIL": "@" in value,
        "IBAN": True,
        "CARD": 13 <= len(digits) <= 19 and luhn.is_valid(digits),
        "PHONE": value.startswith(("+", "(")) or bool(re.search(r"\d[ .-]\d", value)),
        "SSN": bool(re.fullmatch(r"\d{3}([-. ])\d{2}\1\d{4}", value)),
        "ADDRESS": True,
    }.get(kind, False)
    return "shape" if shaped else "bare"


def load_presidio_cases(path: Path = PRESIDIO_CASES) -> list[dict[str, Any]]:
    """Presidio's parametrized analyzer test cases, scored at default settings (rows
    run by Presidio with extra phone regions are left out)."""
    rows = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}", "restore the file from git") from None
    for number, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
            kind = PRESIDIO_TYPES[row["entity"]]
            spans = [(int(a), int(b)) for a, b in row["spans"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(
                f"{path}, line {number}: not a Presidio case ({exc})",
                "restore the file from git (see its README for the fields)",
            ) from None
        if row.get("default_config") is False:
            continue
        rows.append({"text": row["text"], "type": kind, "spans": spans, "test": row["test"]})
    return rows


def _covered(value_span: tuple[int, int], text: str, findings: Sequence[Any]) -> bool:
    """Every letter and digit of the value lies inside some finding: nothing leaks."""
    start, end = value_span
    return all(
        not text[i].isalnum() or any(f.start <= i < f.end for f in findings)
        for i in range(start, end)
    )


def evaluate_presidio(detector: PiiDetector, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per type and per way of writing: recall (the value is masked by a finding of its
    type) and the share masked by any finding (what leaks); precision of the type's
    findings. Presidio's negatives are per entity (a "no IBAN" text may hold a phone), so
    only findings of the row's own type can be false positives."""
    stats: dict[str, dict[str, Any]] = {}
    misses: list[dict[str, Any]] = []
    for row in rows:
        kind, text = row["type"], row["text"]
        found = detector.find(text)
        own = [f for f in found if f.type == kind]
        s = stats.setdefault(kind, {"tp": 0, "fn": 0, "fp": 0, "masked": 0, "groups": {}})
        for span in row["spans"]:
            group = value_group(kind, text, *span)
            g = s["groups"].setdefault(group, {"n": 0, "tp": 0})
            g["n"] += 1
            hit = _covered(span, text, own)
            s["masked"] += _covered(span, text, found)
            s["tp" if hit else "fn"] += 1
            g["tp"] += hit
            if not hit:
                misses.append({"type": kind, "group": group, "value": text[span[0] : span[1]],
                               "text": text[:120]})
        for f in own:
            if not any(f.start < b and a < f.end for a, b in row["spans"]):
                s["fp"] += 1
                misses.append({"type": kind, "false_positive": f.value, "text": text[:120]})
    by_type = {}
    for kind, s in stats.items():
        n = s["tp"] + s["fn"]
        by_type[kind] = {
            "n": n,
            "recall": _ratio(s["tp"], n),
            "masked": _ratio(s["masked"], n),
            "precision": _ratio(s["tp"], s["tp"] + s["fp"]),
            "by_group": {
                g: {"n": v["n"], "recall": _ratio(v["tp"], v["n"])}
                for g, v in sorted(s["groups"].items())
            },
        }
    tp = sum(s["tp"] for s in stats.values())
    n = tp + sum(s["fn"] for s in stats.values())
    groups: dict[str, list[int]] = {}
    for s in stats.values():
        for g, v in s["groups"].items():
            groups.setdefault(g, [0, 0])
            groups[g][0] += v["tp"]
            groups[g][1] += v["n"]
    return {
        "presidio_recall": _ratio(tp, n),
        "presidio_masked": _ratio(sum(s["masked"] for s in stats.values()), n),
        "presidio_precision": _ratio(tp, tp + sum(s["fp"] for s in stats.values())),
        "presidio_values": n,
        "presidio_by_group": {g: {"n": v[1], "recall": _ratio(v[0], v[1])}
                              for g, v in sorted(groups.items())},
        "presidio_by_type": by_type,
        "presidio_misses": misses,
    }


_MARK = re.compile(r"<<([A-Z]+):(.*?)>>")


def parse_marked(line: str) -> tuple[str, list[dict[str, Any]]]:
    """A ticket with its PII marked inline as <<TYPE:value>>, and '\\n' for a line break
    inside it: the plain text and the spans."""
    text, entities, cursor = "", [], 0
    for m in _MARK.finditer(line):
        text += line[cursor : m.start()].replace("\\n", "\n")
        value = m.group(2).replace("\\n", "\n")
        if m.group(1) not in PII_TYPES:
            raise ValueError(f"unknown PII type {m.group(1)}")
        entities.append({"type": m.group(1), "start": len(text), "end": len(text) + len(value)})
        text += value
        cursor = m.end()
    text += line[cursor:].replace("\\n", "\n")
    if "<<" in text or ">>" in text:
        raise ValueError("unbalanced <<TYPE:value>> mark")
    return text, entities


def load_marked_cases(path: Path = CUSTOMER_SHAPES, split: str = "all") -> list[dict[str, Any]]:
    """Cases of a marked file (comment lines start with '#'). ``split``: "dev" takes the
    odd-numbered cases, "test" the even ones, "all" both (the file interleaves shapes, so
    each half has every shape)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc}", "restore the file from git") from None
    cases = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            text, entities = parse_marked(line.strip())
        except ValueError as exc:
            raise DatasetError(
                f"{path}, line {number}: {exc}",
                "mark each value as <<TYPE:value>> with TYPE one of " + ", ".join(PII_TYPES),
            ) from None
        cases.append({"id": f"{path.stem}-{number}", "text": text, "entities": entities,
                      "kind": "positive" if entities else "hard_negative"})
    if split == "all":
        return cases
    return [c for i, c in enumerate(cases) if (i % 2 == 0) == (split == "dev")]


def evaluate_pii_coverage(detector: PiiDetector, cases: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Recall as what does not leak (a value counts when findings cover all of it, of the
    right type for ``recall``, of any type for ``masked``); precision over findings; and
    the share of hard-negative texts with any finding."""
    tp = fn = masked = fp = 0
    per_type: dict[str, list[int]] = {}
    misses: list[dict[str, Any]] = []
    negatives_hit = negatives = 0
    for case in cases:
        text, gold = case["text"], case["entities"]
        found = detector.find(text)
        for g in gold:
            span = (g["start"], g["end"])
            typed = [f for f in found if f.type == g["type"]]
            hit = _covered(span, text, typed)
            tp += hit
            fn += not hit
            masked += _covered(span, text, found)
            row = per_type.setdefault(g["type"], [0, 0])
            row[0] += hit
            row[1] += 1
            if not hit:
                misses.append({"id": case["id"], "type": g["type"],
                               "value": text[span[0] : span[1]], "found": [
                                   (f.type, f.value) for f in found]})
        wrong = [f for f in found if not any(f.start < g["end"] and g["start"] < f.end
                                             for g in gold)]
        fp += len(wrong)
        if wrong:
            misses.append({"id": case["id"], "false_positive": [(f.type, f.value) for f in wrong],
                           "text": text[:160]})
        if not gold:
            negatives += 1
            negatives_hit += bool(found)
    return {
        "recall": _ratio(tp, tp + fn),
        "masked": _ratio(masked, tp + fn),
        "precision": _ratio(tp, tp + fp),
        "values": tp + fn,
        "hard_negative_texts": negatives,
        "hard_negative_texts_flagged": _ratio(negatives_hit, negatives),
        "by_type": {t: {"n": v[1], "recall": _ratio(v[0], v[1])} for t, v in sorted(per_type.items())},
        "errors": misses,
    }


def pii_false_positive_rate(detector: PiiDetector, texts: Sequence[str]) -> dict[str, Any]:
    """Share of texts that hold no PII (BANKING77 queries, complaint narratives whose PII
    the CFPB already replaced by XXXX) where the detector still finds some."""
    flagged = [(t, [(f.type, f.value) for f in found]) for t in texts
               if (found := detector.find(t))]
    return {"n": len(texts), "rate": _ratio(len(flagged), len(texts)),
            "examples": [{"text": t[:160], "found": f} for t, f in flagged[:10]]}


def load_injection_split(path: Path = INJECTION_SPLIT) -> list[dict[str, Any]]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [{"text": str(r["text"]), "label": int(r["label"])} for r in rows]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DatasetError(
            f"cannot read the injection evaluation split {path} ({exc})",
            'restore it from git; it is a JSON list of {"text", "label"}',
        ) from None


def load_cfpb_narratives(directory: Path = CFPB_DIR) -> dict[str, list[str]]:
    """The CFPB sample's consumer narratives that are not in the escalation set, in two
    halves by Complaint ID: ``{"dev": [...], "test": [...]}``.

    The escalation set's 245 payments narratives were development data for both
    injection detectors. The other products' narratives (credit reporting, debt
    collection, mortgages, loans: letters full of demands such as "remove this account")
    are split: the dev half may be read to find what the detectors get wrong; the test
    half is never looked at, so its false-positive rate is a held-out figure.
    """
    import csv
    import zlib

    try:
        with open(directory / "payments_narratives.csv", encoding="utf-8", newline="") as fh:
            used = {row["Complaint ID"] for row in csv.DictReader(fh)}
        with open(directory / "complaints_sample.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, KeyError, csv.Error) as exc:
        raise DatasetError(
            f"cannot read the CFPB complaint sample in {directory} ({exc})",
            "restore evals/datasets/cfpb/ from git",
        ) from None
    halves: dict[str, list[str]] = {"dev": [], "test": []}
    for row in rows:
        text = (row.get("Consumer complaint narrative") or "").strip()
        cid = row.get("Complaint ID") or ""
        if text and cid not in used:
            halves["test" if zlib.crc32(cid.encode()) % 2 else "dev"].append(text)
    return halves


def evaluate_injection(
    score: Callable[[Sequence[str]], list[InjectionScore]],
    rows: Sequence[dict[str, Any]],
    benign_queries: Iterable[str],
    benign_tickets: Sequence[str] = (),
    cfpb_dev: Sequence[str] = (),
    cfpb_test: Sequence[str] = (),
    language_of: Callable[[str], str] | None = None,
    thresholds: dict[str, float] | None = None,
) -> dict[str, Any]:
    """deepset F1, and false alarms on genuine text: short queries and long complaints.

    ``score`` gives the verdicts as triage reaches them (``Guards.check_texts``): the
    lexical detector, OR-ed with the embedding head when there is one. Each detector's
    share is reported too (``injection_lexical_*``, ``injection_embedding_*``).
    The tickets are the escalation set's (none is an injection); they were development
    data for both detectors' regularisation, so their rate is a development figure; so
    is ``cfpb_dev``'s (the other CFPB narratives, first half); ``cfpb_test`` (the second
    half) is held out.
    """
    verdicts = score([r["text"] for r in rows])
    truth = [r["label"] == 1 for r in rows]
    scored = [(v.detected, y) for v, y in zip(verdicts, truth)]
    benign = list(benign_queries)
    started = time.perf_counter()
    benign_verdicts = score(benign)
    per_query_ms = (time.perf_counter() - started) * 1000 / max(1, len(benign))
    flagged = [q for q, v in zip(benign, benign_verdicts) if v.detected]
    flagged_tickets = [v for v in score(benign_tickets) if v.detected] if benign_tickets else []
    report = {
        **_scores("injection", scored),
        "injection_n": len(scored),
        "injection_thresholds": thresholds or {},
        "benign_false_positive_rate": _ratio(len(flagged), len(benign)),
        "benign_n": len(benign),
        "benign_flagged": flagged[:10],
        "ticket_false_positive_rate": _ratio(len(flagged_tickets), len(benign_tickets)),
        "ticket_n": len(benign_tickets),
        "ticket_flagged_by": dict(Counter(v.source for v in flagged_tickets)),
        "injection_score_ms_mean": round(per_query_ms, 3),
        "injection_by_language": _by_language(rows, scored, language_of) if language_of else {},
    }
    for name, texts in (("cfpb_dev", cfpb_dev), ("cfpb_test", cfpb_test)):
        verdicts_ = score(texts) if texts else []
        hits = [(t, v) for t, v in zip(texts, verdicts_) if v.detected]
        report[f"{name}_false_positive_rate"] = _ratio(len(hits), len(texts))
        report[f"{name}_n"] = len(texts)
        report[f"{name}_flagged_by"] = dict(Counter(v.source for _, v in hits))
        if name == "cfpb_dev":  # the test half's texts are never printed
            report["cfpb_dev_flagged"] = [
                {"text": t[:200], "source": v.source, "evidence": v.evidence[:120]}
                for t, v in hits
            ]
    head_threshold = (thresholds or {}).get("embedding")
    if head_threshold is not None:  # what each detector catches alone
        lexical = [(v.detected and v.source != "embedding", y) for v, y in zip(verdicts, truth)]
        semantic = [
            ((v.embedding_score or 0.0) >= head_threshold, y) for v, y in zip(verdicts, truth)
        ]
        report.update(_scores("injection_lexical", lexical))
        report.update(_scores("injection_embedding", semantic))
    return report


def _scores(prefix: str, scored: Sequence[tuple[bool, bool]]) -> dict[str, float]:
    tp, fp, fn = _confusion(scored)
    return {
        f"{prefix}_accuracy": _ratio(sum(p == y for p, y in scored), len(scored)),
        f"{prefix}_precision": _ratio(tp, tp + fp),
        f"{prefix}_recall": _ratio(tp, tp + fn),
        f"{prefix}_f1": _ratio(2 * tp, 2 * tp + fp + fn),
    }


def _confusion(scored: Sequence[tuple[bool, bool]]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) of (predicted, actual) pairs."""
    tp = sum(p and y for p, y in scored)
    fp = sum(p and not y for p, y in scored)
    fn = sum(y and not p for p, y in scored)
    return tp, fp, fn


def _by_language(
    rows: Sequence[dict[str, Any]],
    scored: Sequence[tuple[bool, bool]],
    language_of: Callable[[str], str],
) -> dict[str, dict[str, Any]]:
    """Recall and precision per detected language: where the detector is weak."""
    groups: dict[str, list[tuple[bool, bool]]] = {}
    for row, pair in zip(rows, scored):
        groups.setdefault(language_of(row["text"]), []).append(pair)
    out = {}
    for language, pairs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        tp, fp, fn = _confusion(pairs)
        out[language] = {
            "n": len(pairs),
            "injections": tp + fn,
            "precision": _ratio(tp, tp + fp),
            "recall": _ratio(tp, tp + fn),
            "f1": _ratio(2 * tp, 2 * tp + fp + fn),
        }
    return out

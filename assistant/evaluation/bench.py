"""Latency and throughput figures (``assistant bench``). Medians, because machines are noisy."""

from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from assistant.config import Settings
from assistant.guards.guard import Guards
from assistant.intent.classifier import IntentClassifier, is_quantised
from assistant.quantisation import cpu_has_int8_dot
from assistant.triage.service import Triager


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_triage(
    settings: Settings,
    tickets: Sequence[str],
    guards: Guards,
    pii_tickets: Sequence[str] = (),
    escalation_tickets: Sequence[str] = (),
    singles: int = 300,
    batch_size: int = 1000,
    repeats: int = 3,
    progress: Callable[[str], None] = lambda _msg: None,
) -> dict[str, Any]:
    progress("loading the intent classifier")
    started = time.perf_counter()
    classifier = IntentClassifier.load(settings.intent_model_dir, threads=settings.resolved_threads)
    load_s = time.perf_counter() - started
    from assistant.clocks.calendar import BusinessCalendar
    from assistant.runtime import get_escalation

    progress("loading the escalation policy and the language detector")
    triager = Triager(
        classifier,
        guards,
        settings,
        get_escalation(settings),
        BusinessCalendar(settings.holiday_calendar),
    )

    for text in tickets[:20]:  # warm-up: allocator, onnxruntime arenas, caches
        triager.triage(text)
    progress(f"timing {singles} single-ticket triages")
    latencies = _time_each(triager.triage, tickets, singles)

    # Multi-sentence escalation tickets (signals, amounts, dates, clocks all at work).
    escalation_ms = _time_each(triager.triage, escalation_tickets, singles)
    decide_ms = _time_each(
        lambda t: triager.escalation.decide(t, "card_payment_not_recognised", 0.9),
        escalation_tickets,
        singles,
    )

    progress("timing the guards alone (PII redaction + injection scoring)")
    # The embedding head's share is one dot product on the vector the intent encoder
    # made anyway; a fixed vector stands in for it here.
    vector = classifier.encoder.encode(tickets[:1])[0]

    def guard(text: str) -> object:
        return guards.add_embedding_opinion(guards.check(triager.prepare(text)), vector)

    guard_ms = _time_each(guard, tickets, singles)
    pii_ms = _time_each(guard, pii_tickets, singles)

    progress(f"timing {repeats} batches of {batch_size} tickets")
    batch = [triager.prepare(tickets[i % len(tickets)]) for i in range(batch_size)]
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        triager.triage_tickets(batch)
        rates.append(batch_size / (time.perf_counter() - t0))

    return {
        "triage_p50_ms": round(statistics.median(latencies), 3),
        "triage_p90_ms": round(_percentile(latencies, 0.9), 3),
        "triage_p99_ms": round(_percentile(latencies, 0.99), 3),
        "triage_batch_per_s": round(statistics.median(rates), 1),
        "triage_escalation_ticket_p50_ms": _median(escalation_ms),
        "escalation_decide_p50_ms": _median(decide_ms),
        "guards_p50_ms": round(statistics.median(guard_ms), 3),
        "guards_pii_ticket_p50_ms": round(statistics.median(pii_ms), 3) if pii_ms else None,
        "intent_model_load_s": round(load_s, 3),
        "singles": singles,
        "batch_size": batch_size,
        "repeats": repeats,
        "quantised_encoder": is_quantised(classifier.meta),
        "machine": machine_info(),
    }


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def _time_each(run: Callable[[str], object], texts: Sequence[str], n: int) -> list[float]:
    if not texts:
        return []
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        run(texts[i % len(texts)])
        out.append((time.perf_counter() - t0) * 1000)
    return out


def machine_info() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_avg_1m": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "gemm_gflops": gemm_gflops(),
        "int8_dot_product": cpu_has_int8_dot(),
    }


def gemm_gflops(repeats: int = 20) -> float:
    """This machine's float32 matrix-multiply rate in MiniLM's shapes (2,048 tokens x 384 x
    1,536), median of ``repeats``: the ceiling for any encoder here. MiniLM-L6 costs ~21
    MFLOP per token in its matrix products, so fp32 tokens/s can never exceed this / 0.021.
    int8 products beat it only where ``int8_dot_product`` is true (VNNI, AMX, Arm dot
    product): on AVX2 alone onnxruntime's int8 ran at the fp32 rate."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2048, 384), dtype=np.float32)
    b = rng.standard_normal((384, 1536), dtype=np.float32)
    np.matmul(a, b)  # warm
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        np.matmul(a, b)
        times.append(time.perf_counter() - started)
    return round(2 * 2048 * 384 * 1536 / statistics.median(times) / 1e9, 1)


def sample_tickets(csv_path: Path, limit: int = 2000) -> list[str]:
    """Short real tickets for the benchmark: the first texts of a labelled CSV."""
    from assistant.intent.dataset import load_labelled_csv

    return load_labelled_csv(csv_path).texts[:limit]


def bench_drafting(drafter: Any, tickets: Sequence[tuple[str, Any]], repeats: int = 3
                   ) -> dict[str, Any]:
    """`draft_p50_ms`: one composer draft with triage, retrieval, plan and the grounding
    check, warm; `grounding_p50_ms`: the check of the finished reply alone."""
    import time as _time

    from assistant.drafting.grounding import Evidence, Passage

    drafter.draft(tickets[0][0], tickets[0][1])  # warm every part once
    draft_ms, ground_ms = [], []
    for _ in range(repeats):
        for text, received in tickets:
            started = _time.perf_counter()
            result = drafter.draft(text, received)
            draft_ms.append((_time.perf_counter() - started) * 1000)
            chunks = [c for c in (drafter.chunks.chunk(x.chunk_id) for x in result.citations) if c]
            evidence = Evidence(ticket=result.redacted_text, received=received,
                                clocks=result.clocks, plan=result.plan,
                                passages=[Passage(c.chunk_id, c.text) for c in chunks],
                                citations=result.citations)
            started = _time.perf_counter()
            drafter.grounder.check(result.reply, evidence)
            ground_ms.append((_time.perf_counter() - started) * 1000)
    return {"draft_p50_ms": round(_percentile(draft_ms, 0.5), 2),
            "draft_p90_ms": round(_percentile(draft_ms, 0.9), 2),
            "grounding_p50_ms": round(_percentile(ground_ms, 0.5), 2),
            "drafts_timed": len(draft_ms)}

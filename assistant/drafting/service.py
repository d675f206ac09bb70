"""One draft: triage, plan, passages, a reply from a writer, and its grounding verdict.

The composer always writes a draft. The LLM writer, when asked for and configured,
rewrites it from the composer's draft, the plan and the cited passages (the ticket only
inside its delimited block); its reply is grounding-checked, retried once with the
findings, and replaced by the composer's draft (saying why) when it still fails or the
endpoint fails. A reply a person wrote is checked against the same ticket, plan and
passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

from assistant.clocks.calendar import BusinessCalendar
from assistant.drafting.composer import Composed, Composer
from assistant.drafting.facts import read_facts
from assistant.drafting.grounding import Evidence, Grounder, Passage, last_fours, sentence_spans
from assistant.drafting.plan import build_plan
from assistant.drafting.playbooks import RETRIEVED, PlaybookSet
from assistant.drafting.prompts import PromptFile
from assistant.drafting.schema import Citation, DraftResult, Finding, LlmCall, Plan
from assistant.errors import AssistantError
from assistant.kb.chunking import Chunk
from assistant.triage.schema import TriageResult
from assistant.triage.service import Triager

Writer = Literal["composer", "llm"]
RETRIEVED_K = 4
RETRIEVED_TYPES = ("policy", "terms", "resolution", "guide")
# A person's reply: its unsupported policy sentences are looked up (at most MAX_LOOKUPS,
# LOOKUP_K passages each).
LOOKED_UP_KINDS = frozenset({"duration", "number", "policy"})
MAX_LOOKUPS, LOOKUP_K = 6, 3
# ...but never a sentence about a regulated time limit: those answer to the case's clocks,
# and a passage about another rule ("up to 45 days after your notice" for a remittance,
# whose limit is 90) must not support it.
_REGULATED = re.compile(
    r"\b(?:notice|notif\w+|investigat\w*|provisional|billing\s+error|chargeback|dispute\w*|"
    r"error\s+resolution|reg(?:ulation)?\s*[EZ])\b", re.IGNORECASE)


class ChunkSource(Protocol):
    def chunk(self, chunk_id: str, as_of: date | None = None) -> Chunk | None: ...

    def search(self, query: str, k: int = 5, types: object = None, as_of: object = None,
               mode: str = "hybrid") -> list: ...


@dataclass(frozen=True)
class LlmReply:
    reply: str
    citations: list[str]  # chunk ids, in marker order
    call: LlmCall


class LlmWriter(Protocol):
    model: str

    def write(
        self, ticket: str, composed: Composed, plan: Plan, passages: list[Chunk],
        findings: list[str] | None = None,
    ) -> LlmReply: ...


class Drafter:
    """Stateless apart from the injected parts; safe to share across requests."""

    def __init__(
        self,
        triager: Triager,
        chunks: ChunkSource,
        playbooks: PlaybookSet,
        prompts: PromptFile,
        grounder: Grounder,
        calendar: BusinessCalendar,
        llm: LlmWriter | None = None,
    ) -> None:
        self.triager = triager
        self.chunks = chunks
        self.playbooks = playbooks
        self.prompts = prompts
        self.composer = Composer(prompts, playbooks)
        self.grounder = grounder
        self.calendar = calendar
        self.llm = llm

    # ------------------------------------------------------------------ public
    def draft(
        self,
        raw: str | bytes,
        received: date | None = None,
        writer: Writer = "composer",
        reply_text: str | None = None,
    ) -> DraftResult:
        result, guarded = self.triager.triage_record(raw, received)
        return self.draft_triaged(result, guarded.redaction.placeholders, writer, reply_text)

    def draft_triaged(
        self,
        result: TriageResult,
        placeholders: dict[str, str],
        writer: Writer = "composer",
        reply_text: str | None = None,
    ) -> DraftResult:
        received = date.fromisoformat(result.received_at or date.today().isoformat())
        plan = build_plan(result, self.playbooks, self.calendar)
        from assistant.guards.pii import Redaction

        redaction = Redaction(result.redacted_text, [], dict(placeholders))
        repeat = next((r.evidence for r in result.reasons if r.code == "repeat_contact"), None)
        facts = read_facts(result.redacted_text, received, redaction, repeat)
        cited = self._playbook_chunks(plan)
        retrieved = self._retrieve(result.redacted_text)
        composed = self.composer.compose(
            plan,
            facts,
            self._chunk,
            seed=result.redacted_text,
            alternatives=self._alternatives(result, plan),
            clocks={c.rule for c in result.clocks},
            tags=case_tags(result, self.calendar),
            retrieved=retrieved[0] if retrieved else None,
            ticket=result.redacted_text,
        )
        fours = last_fours(result.redacted_text, placeholders)

        def evidence(
            passages: list[Chunk], citations: list[Citation], check_markers: bool = True
        ) -> Evidence:
            return Evidence(
                ticket=result.redacted_text,
                received=received,
                clocks=result.clocks,
                plan=plan,
                passages=[Passage(c.chunk_id, c.text) for c in passages],
                citations=citations,
                last_fours=fours,
                check_markers=check_markers,
            )

        composer_chunks = [c for c in (self._chunk(x.chunk_id) for x in composed.citations) if c]
        composer_grounding = self.grounder.check(composed.reply, evidence(composer_chunks,
                                                                          composed.citations))
        base = dict(
            result.model_dump(),
            plan=plan,
            prompt_version=self.prompts.version,
            playbook_version=self.playbooks.version,
            missing_information=composed.missing,
        )
        if reply_text is not None:
            pool = _unique(cited + retrieved + composer_chunks)
            grounding = self.grounder.check(reply_text, evidence(pool, [], check_markers=False))
            # A person may state a policy fact the draft did not use ("standard transfers take
            # 1 to 3 business days"): each such unsupported sentence is looked up in the
            # index, and the reply checked again with what the lookups found.
            found = self._look_up(reply_text, grounding.unsupported)
            if found and not {c.chunk_id for c in found} <= {c.chunk_id for c in pool}:
                pool = _unique(pool + found)
                grounding = self.grounder.check(
                    reply_text, evidence(pool, [], check_markers=False))
            return DraftResult(
                **base, reply=reply_text, citations=_citations(pool, reply_text),
                grounding=grounding, writer="person",
            )
        if writer == "llm":
            return self._llm_draft(base, result, composed, composer_grounding, plan,
                                   _unique(composer_chunks + cited + retrieved), evidence)
        return DraftResult(
            **base, reply=composed.reply, citations=composed.citations,
            grounding=composer_grounding, writer="composer",
        )

    # ------------------------------------------------------------------ the LLM path
    def _llm_draft(self, base, result, composed, composer_grounding, plan, passages, evidence):  # type: ignore[no-untyped-def]
        fallback = dict(base, reply=composed.reply, citations=composed.citations,
                        grounding=composer_grounding, writer="composer")
        if self.llm is None:
            return DraftResult(**fallback, writer_note=(
                "no LLM endpoint is configured (ASSISTANT_LLM_BASE_URL): the composer wrote "
                "this draft"))
        findings: list[str] | None = None
        call: LlmCall | None = None
        attempts = 0
        for attempt in (1, 2):
            try:
                answer = self.llm.write(result.redacted_text, composed, plan, passages, findings)
            except AssistantError as exc:
                return DraftResult(**fallback, writer_note=f"the LLM failed ({exc.message}): "
                                   "the composer wrote this draft", llm=call)
            attempts += answer.call.attempts
            call = answer.call.model_copy(update={"attempts": attempts})
            by_id = {c.chunk_id: c for c in passages}
            chosen = [by_id[i] for i in answer.citations if i in by_id]
            citations = [
                Citation(marker=n, chunk_id=c.chunk_id, source=c.source, section=c.section,
                         title=c.title, quote=c.text[:300])
                for n, c in enumerate(chosen, 1)
            ]
            grounding = self.grounder.check(answer.reply, evidence(chosen, citations))
            if grounding.verdict == "pass":
                return DraftResult(**dict(base, reply=answer.reply, citations=citations,
                                          grounding=grounding, writer="llm"), llm=call)
            findings = [f"{f.kind}: '{f.text}' - {f.why}" for f in grounding.unsupported]
        reasons = "; ".join(findings or [])[:500]
        return DraftResult(**fallback, llm=call, writer_note=(
            f"the LLM's reply failed the grounding check twice ({reasons}): the composer "
            "wrote this draft"))

    # ------------------------------------------------------------------ passages
    def _chunk(self, chunk_id: str) -> Chunk | None:
        return self.chunks.chunk(chunk_id)

    def _playbook_chunks(self, plan: Plan) -> list[Chunk]:
        ids = [s.citation for s in plan.steps]
        for name in [plan.playbook, *plan.overlays]:
            ids += [b.cite for b in self.playbooks.playbooks[name].basis if b.cite != RETRIEVED]
        return [c for c in (self._chunk(i) for i in dict.fromkeys(ids)) if c]

    def _retrieve(self, text: str, k: int = 0) -> list[Chunk]:
        try:
            hits = self.chunks.search(text[:2000] or "help", k=k or RETRIEVED_K,
                                      types=RETRIEVED_TYPES)
        except AssistantError:
            return []
        return [h.chunk for h in hits]

    def _look_up(self, reply: str, findings: list[Finding]) -> list[Chunk]:
        """Passages for the sentences of a person's reply whose policy facts nothing in the
        pool supports. Only durations, numbers and policy sentences: amounts, dates,
        deadlines, contact details and digits stay with the ticket, the plan and the clocks."""
        spans = sentence_spans(reply)
        sentences: list[str] = []
        for f in findings:
            if f.kind not in LOOKED_UP_KINDS:
                continue
            a, b = next(((a, b) for a, b in spans if a <= f.start < b), (f.start, f.end))
            sentence = reply[a:b].strip()
            if sentence and sentence not in sentences and not _REGULATED.search(sentence):
                sentences.append(sentence)
        found: list[Chunk] = []
        for sentence in sentences[:MAX_LOOKUPS]:
            found += self._retrieve(sentence, k=LOOKUP_K)
        return found

    def _alternatives(self, result: TriageResult, plan: Plan) -> list[str]:
        """The issue playbooks of the likeliest intents, for the question that settles an
        unclear ticket."""
        if not plan.confirm_issue:
            return []
        names: list[str] = []
        for intent in [result.intent, *(a.intent for a in result.intent_alternatives)]:
            for name, playbook in self.playbooks.issues():
                if intent in playbook.match.intents and name not in names:
                    names.append(name)
        return names[:2]


def case_tags(result: TriageResult, calendar: BusinessCalendar) -> set[str]:
    """Facts the clocks imply, which choose the policy sentences that fit the case."""
    tags: set[str] = set()
    received = date.fromisoformat(result.received_at or date.today().isoformat())
    clocks = {c.rule: c for c in result.clocks}
    extended = clocks.get("reg_e_investigation_extended")
    if extended and extended.deadline:
        if (date.fromisoformat(extended.deadline) - received).days == 90:
            tags.add("extended_90")
    investigation = clocks.get("reg_e_investigation")
    if investigation and investigation.deadline:
        if date.fromisoformat(investigation.deadline) > calendar.add_business_days(received, 10):
            tags.add("new_account")
    return tags


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    seen: dict[str, Chunk] = {}
    for c in chunks:
        seen.setdefault(c.chunk_id, c)
    return list(seen.values())


def _citations(pool: list[Chunk], reply: str) -> list[Citation]:
    from assistant.drafting.composer import best_quote

    return [
        Citation(marker=n, chunk_id=c.chunk_id, source=c.source, section=c.section,
                 title=c.title, quote=best_quote(c.text, reply))
        for n, c in enumerate(pool, 1)
    ]

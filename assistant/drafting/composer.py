"""The default reply writer: no LLM, every word from ``prompts/composer.yaml``.

It follows the tone guide (kb/guides/tone-of-voice.md): acknowledge the customer's own
situation once, with the ticket's facts; say what we are doing and when, with the
computed dates; ask for what the ticket lacks (never a full card number, PIN, password
or one-time code); give the policy basis in plain words, each sentence marked with the
citation it paraphrases; sign off with the case reference and the specialist's name.
Wording adapts to the situation (repeat contact, distress, bereavement, hardship, a
regulator or lawyer), and each fragment has variants chosen per ticket, so two tickets
about different facts do not read the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from assistant.drafting.facts import TicketFacts, long_date
from assistant.drafting.playbooks import RETRIEVED, PlaybookSet
from assistant.drafting.prompts import PromptFile
from assistant.drafting.schema import Citation, MissingInfo, Plan
from assistant.kb.chunking import Chunk

ChunkLookup = Callable[[str], "Chunk | None"]


@dataclass(frozen=True)
class Composed:
    reply: str
    citations: list[Citation]
    missing: list[MissingInfo]


def missing_information(facts: TicketFacts, asks: list[str]) -> list[str]:
    """The facts the playbook asks for that the ticket does not give."""
    have = {
        "transaction_date": bool(facts.dates),
        "amount": bool(facts.amounts),
        "merchant": bool(facts.merchants),
        "card_last_four": facts.last_four is not None or not facts.card,
        "police_report": facts.police_report,
        "recipient_details": facts.recipient,
        "identity_document": False,
    }
    return [kind for kind in asks if not have.get(kind, False)]


class Composer:
    def __init__(self, prompts: PromptFile, playbooks: PlaybookSet) -> None:
        self.prompts = prompts
        self.playbooks = playbooks

    def compose(
        self,
        plan: Plan,
        facts: TicketFacts,
        chunk: ChunkLookup,
        seed: str,
        alternatives: list[str] | None = None,
        clocks: set[str] | None = None,
        tags: set[str] | None = None,
        retrieved: "Chunk | None" = None,
        ticket: str = "",
    ) -> Composed:
        """The reply for ``plan``. ``clocks`` are the rules the ticket started and ``tags``
        the facts they imply (basis sentences tied to them are said only when they
        apply); ``alternatives`` are the playbooks to offer when the issue is unclear;
        ``retrieved`` is the passage retrieval ranked first for ``ticket`` (the redacted
        text), which a `retrieved` basis quotes."""
        p = self.prompts
        playbook = self.playbooks.playbooks[plan.playbook]
        values: dict[str, Any] = {
            "amount": facts.amount,
            "amounts": facts.amount_list,
            "merchant": facts.merchant,
            "date": long_date(facts.date) if facts.date else None,
            "received": long_date(facts.received) if facts.received else None,
            "last_four": facts.last_four,
            "repeat": facts.repeat,
            "regulator": facts.regulator,
            "case_ref": "[CASE_REFERENCE]",
            "specialist": "[SPECIALIST_NAME]",
        }
        paragraphs: list[str] = [p.render("greeting", values, seed)]

        opening = [p.render(f"acknowledge.{plan.playbook}", values, seed)]
        said = set()  # adaptations the opening already makes: an overlay does not repeat them
        feeling = _feeling(facts, plan)
        if feeling:
            opening.append(p.render(f"adapt.{feeling}", values, seed))
            said.add(f"adapt.{feeling}")
        if facts.repeat:
            opening.append(p.render("adapt.repeat_contact", values, seed))
            said.add("adapt.repeat_contact")
        paragraphs.append(" ".join(opening))

        for overlay in plan.overlays:
            key = f"adapt.{overlay}"
            if p.has(key) and key not in said:
                paragraphs.append(p.render(key, values, seed))

        doing = []
        for step in plan.steps:
            source = self.playbooks.playbooks[step.playbook]
            spec = next(s for s in source.steps if s.id == step.id)
            if not step.customer_facing or not spec.say:
                continue
            step_values = dict(values, date=long_date(date.fromisoformat(step.due)) if step.due else None)
            doing.append(p.render(spec.say, step_values, seed))
        if doing:
            paragraphs.append(p.render("doing.intro", values, seed) + "\n" + "\n".join(
                f"- {line}" for line in doing
            ))

        missing = missing_information(facts, playbook.asks)
        asked: list[MissingInfo] = []
        if plan.confirm_issue:
            a, b = (alternatives or [])[:2] if len(alternatives or []) >= 2 else ("", "")
            confirm_values = dict(
                values,
                option_a=p.render(f"issue_name.{a}", values, seed, required=False) if a else None,
                option_b=p.render(f"issue_name.{b}", values, seed, required=False) if b else None,
            )
            question = p.render("ask.confirm", confirm_values, seed)
            asked.append(MissingInfo(kind="issue_type", question=question))
            paragraphs.append(question)
        if missing:
            lines = [p.render(f"ask.{kind}", values, seed) for kind in missing]
            asked += [MissingInfo(kind=k, question=q) for k, q in zip(missing, lines)]
            paragraphs.append(
                p.render("ask.intro", values, seed) + "\n" + "\n".join(f"- {q}" for q in lines)
            )
        if missing or plan.confirm_issue or facts.card:
            paragraphs.append(p.render("ask.never", values, seed))

        citations: list[Citation] = []
        basis_lines = []
        clocks = clocks or set()
        tags = tags or set()
        for overlay_or_issue in [plan.playbook, *plan.overlays]:
            for basis in self.playbooks.playbooks[overlay_or_issue].basis:
                if basis.when_clock and basis.when_clock not in clocks:
                    continue
                if not set(basis.when_tag) <= tags or set(basis.unless_tag) & tags:
                    continue
                found = retrieved if basis.cite == RETRIEVED else chunk(basis.cite)
                if found is None:
                    continue  # the index lacks it: say nothing we cannot cite
                marker = next(
                    (c.marker for c in citations if c.chunk_id == found.chunk_id),
                    len(citations) + 1,
                )
                extra: dict[str, Any] = {"cite": f"[{marker}]"}
                if basis.cite == RETRIEVED:
                    extra["quote"] = best_quote(found.text, ticket)
                    if not extra["quote"]:
                        continue  # nothing in it we may quote
                sentence = p.render(basis.say, dict(values, **extra), seed)
                basis_lines.append(sentence)
                if all(c.chunk_id != found.chunk_id for c in citations):
                    citations.append(
                        Citation(
                            marker=marker,
                            chunk_id=found.chunk_id,
                            source=found.source,
                            section=found.section,
                            title=found.title,
                            quote=best_quote(found.text, sentence),
                        )
                    )
        if basis_lines:
            paragraphs.append(" ".join(basis_lines))

        paragraphs.append(p.render("signoff", values, seed))
        reply = "\n\n".join(x.strip() for x in paragraphs if x.strip())
        return Composed(reply=reply, citations=citations, missing=asked)


def _feeling(facts: TicketFacts, plan: Plan) -> str | None:
    """The one adaptation sentence that fits best (the tone guide: one sincere sentence)."""
    if facts.bereaved:
        return "bereavement"
    if facts.illness:
        return "illness"
    if facts.hardship:
        return "hardship"
    if facts.distressed:
        return "distress"
    if facts.angry:
        return "anger"
    return None


_WORD = re.compile(r"[a-z]{3,}")


def best_quote(chunk_text: str, sentence: str, limit: int = 300) -> str:
    """The chunk sentence that shares the most words with the reply's sentence."""
    from assistant.clocks.figures import sentences

    from assistant.drafting.grounding import reads_as_forbidden

    words = set(_WORD.findall(sentence.lower()))
    best, score = "", -1.0
    for span in sentences(chunk_text):
        candidate = " ".join(chunk_text[span.start : span.end].split())
        if reads_as_forbidden(candidate):
            continue  # quoted in a reply, it would read as our promise
        overlap = len(words & set(_WORD.findall(candidate.lower())))
        if overlap > score:
            best, score = candidate, overlap
    return best[:limit]

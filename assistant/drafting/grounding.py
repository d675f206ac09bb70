"""The grounding check: every writer, every time, and any reply a person hands in.

Each checkable claim of the reply must be supported, after normalisation, by the ticket,
the plan (its steps' dates and the clocks) or a passage the reply cites:
- dates (a weekday must match its date; a date in a sentence about a deadline must be
  that deadline's computed date), relative dates ("tomorrow") never pass;
- amounts, percentages, durations and other numbers; a duration stated for a rule must
  be the rule's figure (``assistant.clocks.figures``);
- phone numbers, URLs and e-mail addresses only from a cited passage (the company's
  published contact points); digits of a card or account never beyond the last four;
- names of regulations must fit the ticket's regime or a cited passage;
- sentences that state policy must be supported by a cited passage (``support``);
- forbidden content (``forbidden.yaml``, from the tone guide) fails the reply whatever
  else it says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.clocks.dates import find_dates
from assistant.clocks.figures import NUMBER_WORDS, check_figures, quantities, sentences
from assistant.datafiles import read_text, validate_yaml
from assistant.drafting import claims as C
from assistant.drafting.schema import Citation, Finding, Grounding, Plan
from assistant.drafting.support import SupportModel
from assistant.errors import ConfigError
from assistant.escalation.amounts import find_amounts
from assistant.guards.pii import PiiDetector
from assistant.triage.schema import Clock

FORBIDDEN_FILE = "forbidden.yaml"

# A sentence about one of these deadlines must state the deadline's own date.
DEADLINE_WORDS: list[tuple[re.Pattern[str], tuple[str, ...]]] = [
    (
        re.compile(r"(?i)\bprovisional\w*|\btemporar\w*\s+credit|\bput\s+(?:the\s+money|it|"
                   r"the\s+amount|\$[\d,.]+|[\w$,.]+)\s+back\b|\bcredit\s+(?:your|the)\s+account"),
        ("reg_e_provisional_credit",),
    ),
    (
        re.compile(r"(?i)\binvestigat\w*|\blook\w*\s+into\b|\bdecision\b|\bdecide\b|\bfinish\w*"
                   r"|\bcomplete\w*\b|\bconclude\w*"),
        ("reg_e_investigation", "reg_e_investigation_extended", "reg_z_resolve",
         "remittance_investigation", "reg_e_provisional_credit"),
    ),
    (
        re.compile(r"(?i)\bresults?\b|\boutcome\b|\bfindings?\b|\bwhat\s+we\s+(?:found|find)\b"),
        ("reg_e_report_results", "reg_e_investigation", "reg_e_investigation_extended",
         "remittance_report_results", "reg_z_resolve", "remittance_investigation"),
    ),
    (re.compile(r"(?i)\backnowledg\w*"), ("reg_z_acknowledge",)),
    (re.compile(r"(?i)\bresolv\w*\b"), ("reg_z_resolve", "reg_e_investigation_extended",
                                        "remittance_investigation")),
    (re.compile(r"(?i)\bCFPB\b|\bBureau\b|\bportal\b"), ("cfpb_company_response",
                                                        "cfpb_final_response")),
]
_POLICY_CUE = re.compile(
    r"(?i)\b(?:under|by\s+law|the\s+law|federal\s+(?:law|rules?|regulations?|protections?)|regulations?|Reg(?:ulation)?\s+[EZ]|rules?|"
    r"policy|policies|terms|entitled|(?:have|has|your|the)\s+(?:the\s+)?right\s+to|rights|"
    r"required|requires?|liable|liability|"
    r"protect(?:ed|ions?|s)?|statute|Act)\b"
    # difficult news: what we cannot or will only do rests on policy too
    r"|(?i:\b(?:not\s+able\s+to|unable\s+to|never\s+able\s+to|can\s+only|cannot|can't)\s+"
    r"(?:\w+\s+){0,2}(?:investigat\w*|start|open|release|refund|credit|reverse|help|accept|"
    r"unfreeze|look)\b|\bcounts?\s+as\s+authori[sz]ed\b|\bwill\s+need\s+to\s+keep\s+paying\b)"
)
_SIGNOFF = re.compile(r"(?i)\bkind\s+regards\b|\[SPECIALIST_NAME\]|\[CASE_REFERENCE\]")
_LEAK_TYPES = ("CARD", "ACCOUNT", "IBAN", "SSN", "ROUTING")
_NUMBER_WORD = re.compile(
    r"(?i)\b(" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS if len(w) > 2), key=len,
                                 reverse=True)) + r")\b"
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForbiddenRule(_Strict):
    why: str = Field(min_length=5)
    patterns: list[str] = Field(min_length=1)
    unless: list[str] = Field(default_factory=list)

    @field_validator("patterns", "unless")
    @classmethod
    def _compile(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression ({exc}): {pattern[:60]}") from None
        return value


class ForbiddenRules(_Strict):
    version: str
    guide: str
    rules: dict[str, ForbiddenRule]


def forbidden_path() -> Path:
    return Path(str(resources.files("assistant.drafting") / FORBIDDEN_FILE))


@lru_cache(maxsize=4)
def load_forbidden(path: Path | None = None) -> ForbiddenRules:
    path = path or forbidden_path()
    text = read_text(path, "forbidden-content rules", ConfigError, "restore it from git")
    return validate_yaml(text, ForbiddenRules, str(path), ConfigError,
                         "each rule has why, patterns and optionally unless")


@lru_cache(maxsize=4)
def _compiled_rules(path: Path | None = None) -> list[tuple[list[re.Pattern], list[re.Pattern]]]:
    rules = load_forbidden(path).rules.values()
    return [([re.compile(p, re.IGNORECASE) for p in r.patterns],
             [re.compile(u, re.IGNORECASE) for u in r.unless]) for r in rules]


def reads_as_forbidden(sentence: str) -> bool:
    """Whether a sentence would be flagged as forbidden content in a reply (the composer
    never quotes a passage sentence that would, e.g. a remittance's "full refund")."""
    return any(any(p.search(sentence) for p in patterns) and not any(
        u.search(sentence) for u in unless) for patterns, unless in _compiled_rules())


@dataclass(frozen=True)
class Passage:
    chunk_id: str
    text: str


@dataclass
class Evidence:
    """What a reply may rest on."""

    ticket: str  # the redacted ticket text
    received: date
    clocks: list[Clock]
    plan: Plan
    passages: list[Passage]  # the citable passages
    citations: list[Citation] = field(default_factory=list)  # marker -> chunk of this reply
    last_fours: set[str] = field(default_factory=set)
    # A person's reply has no citation list: its markers are not checked, and its policy
    # sentences may rest on any of the passages.
    check_markers: bool = True


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; each line is split on its own (list items)."""
    spans = []
    for block in re.finditer(r"[^\n]+", text):  # lines first: list items are sentences
        for s in sentences(block.group(0)):
            spans.append((block.start() + s.start, block.start() + s.end))
    return spans


class Grounder:
    def __init__(
        self,
        support: SupportModel,
        pii: PiiDetector | None = None,
        rules: ForbiddenRules | None = None,
        contacts: Sequence[str] = (),
    ) -> None:
        """``contacts``: the contact points the kb declares public (`public_contacts`); a
        reply may give them even when no cited passage does."""
        self.support = support
        self.pii = pii or PiiDetector()
        self.contacts = list(contacts)
        self.rules = rules or load_forbidden()
        self._compiled = [
            (name, rule, [re.compile(p, re.IGNORECASE) for p in rule.patterns],
             [re.compile(p, re.IGNORECASE | re.DOTALL) for p in rule.unless])
            for name, rule in self.rules.rules.items()
        ]

    # ------------------------------------------------------------------ support sets
    def _support(self, ev: Evidence) -> dict[str, set]:
        passage_text = "\n\n".join(p.text for p in ev.passages)
        dates = {ev.received}
        dates |= {m.date for m in find_dates(ev.ticket, ev.received)}
        plan_dates = {date.fromisoformat(s.due) for s in ev.plan.steps if s.due}
        for clock in ev.clocks:
            for value in (clock.deadline, clock.starts_from):
                if value:
                    plan_dates.add(date.fromisoformat(value))
        for claim in C.dates(passage_text, ev.received):
            if claim.kind != "date":  # weekdays and relative dates carry no calendar day
                continue
            options, _ = claim.value  # type: ignore[misc]
            if len(options) == 1:
                dates.add(options[0])
        amounts = {round(a.value, 2) for a in find_amounts(ev.ticket)}
        amounts |= {round(a.value, 2) for a in find_amounts(passage_text)}
        percents = {c.value for c in C.amounts(ev.ticket + "\n" + passage_text) if c.kind == "percent"}
        durations = {(q.value, q.unit) for q in quantities(passage_text, money=False)}
        durations |= {(q.value, q.unit) for q in quantities(ev.ticket, money=False)}
        numbers = _numbers(ev.ticket) | _numbers(passage_text)
        numbers |= {float(d.day) for d in plan_dates | dates} | {float(d.year) for d in plan_dates}
        found = self.pii.find(passage_text)
        found = list(found) + self.pii.find("\n".join(self.contacts))
        phones = {C.digits_of(f.value)[-10:] for f in found if f.type == "PHONE"}
        emails = {f.value.lower() for f in found if f.type == "EMAIL"}
        addresses = {" ".join(f.value.lower().split()) for f in found if f.type == "ADDRESS"}
        urls = {c.value for c in C.contacts(passage_text)}
        regimes = {r.split("_")[0] + "_" + r.split("_")[1] for r in (c.rule for c in ev.clocks)
                   if r.startswith(("reg_e", "reg_z"))}
        if any(c.rule.startswith("remittance") for c in ev.clocks):
            regimes.add("remittance")
        # The case's own regime: a passage that names another rule supports naming it only
        # when the case has no regulated clock (a Reg E case's reply cites Reg E, not Z).
        if not regimes:
            regimes = {regime for regime, pattern in C.REGIMES.items()
                       if pattern.search(passage_text)}
        return {
            "dates": dates, "plan_dates": plan_dates, "amounts": amounts, "percents": percents,
            "durations": durations, "numbers": numbers, "phones": phones, "emails": emails,
            "addresses": addresses, "urls": urls, "regimes": regimes,
        }

    # ------------------------------------------------------------------ the check
    def check(self, reply: str, ev: Evidence) -> Grounding:
        s = self._support(ev)
        findings: list[Finding] = []
        n_claims = 0
        spans = sentence_spans(reply)

        def sentence_of(pos: int) -> str:
            for a, b in spans:
                if a <= pos < b:
                    return reply[a:b]
            return ""

        def flag(claim_text: str, start: int, end: int, kind: str, why: str) -> None:
            findings.append(Finding(text=claim_text, start=start, end=end, kind=kind, why=why))

        taken: list[tuple[int, int]] = []
        deadlines = {c.rule: date.fromisoformat(c.deadline) for c in ev.clocks if c.deadline}

        # dates
        for claim in C.dates(reply, ev.received):
            n_claims += 1
            taken.append((claim.start, claim.end))
            if claim.kind == "relative_date":
                flag(claim.text, claim.start, claim.end, "relative_date",
                     "a relative date cannot be checked: write the date itself")
                continue
            if claim.kind == "weekday":
                near = [d for d in s["plan_dates"] | s["dates"]
                        if abs((d - ev.received).days) <= 14 and C.weekday_of(d) == claim.value]
                # the customer's own words ("before Friday", as the ticket says) are theirs
                echoed = re.search(rf"\b{re.escape(str(claim.value))}\b", ev.ticket, re.IGNORECASE)
                if not near and not echoed:
                    flag(claim.text, claim.start, claim.end, "weekday",
                         "a weekday without its date, and no date of the case falls on it")
                continue
            options, weekday = claim.value  # type: ignore[misc]
            if weekday:
                matching = tuple(d for d in options if C.weekday_of(d) == weekday)
                if not matching:
                    actual = ", ".join(f"{d.isoformat()} is a {C.weekday_of(d)}" for d in options[:1])
                    flag(claim.text, claim.start, claim.end, "weekday",
                         f"the weekday does not match the date ({actual})")
                    continue
                options = matching
            sentence = sentence_of(claim.start)
            rules = _deadline_rules(sentence)
            named = [r for r in rules if r in deadlines]
            if named:
                allowed = {deadlines[r] for r in named} | s["plan_dates"]
                if not set(options) & allowed:
                    due = ", ".join(f"{r} {deadlines[r].isoformat()}" for r in named)
                    flag(claim.text, claim.start, claim.end, "deadline",
                         f"the computed deadline is {due}")
                continue
            if rules and not set(options) & s["plan_dates"] and not set(options) & s["dates"]:
                flag(claim.text, claim.start, claim.end, "deadline",
                     "states a deadline this case does not have")
                continue
            if not set(options) & (s["plan_dates"] | s["dates"]):
                flag(claim.text, claim.start, claim.end, "date",
                     "this date is not in the ticket, the plan or a cited passage")

        # amounts, percentages
        for claim in C.amounts(reply):
            n_claims += 1
            taken.append((claim.start, claim.end))
            pool = s["amounts"] if claim.kind == "amount" else s["percents"]
            if claim.value not in pool:
                flag(claim.text, claim.start, claim.end, claim.kind,
                     f"{claim.text} is not in the ticket or a cited passage")

        # durations and the figures of the rules
        for claim in C.durations(reply):
            n_claims += 1
            taken.append((claim.start, claim.end))
            if claim.value not in s["durations"]:
                flag(claim.text, claim.start, claim.end, "duration",
                     f"'{claim.text}' is not stated by a cited passage or the ticket")
        for issue in check_figures(reply):
            if not any(f.start == issue.start for f in findings):
                flag(issue.text, issue.start, issue.end, "figure", issue.why)
            else:  # the more specific reason replaces the generic one
                for i, f in enumerate(findings):
                    if f.start == issue.start:
                        findings[i] = Finding(text=f.text, start=f.start, end=f.end,
                                              kind="figure", why=issue.why)

        # contact details, digits, placeholders
        for claim in C.contacts(reply):
            n_claims += 1
            taken.append((claim.start, claim.end))
            if claim.value not in s["urls"]:
                flag(claim.text, claim.start, claim.end, "url",
                     "a web address that no cited passage gives")
        for f in self.pii.find(reply):
            n_claims += 1
            taken.append((f.start, f.end))
            if f.type in _LEAK_TYPES:
                flag(f.value, f.start, f.end, "forbidden:repeats_digits",
                     f"repeats a {f.type.lower()} number: show at most the last four digits "
                     "(tone guide, Security in replies)")
            elif f.type == "PHONE" and C.digits_of(f.value)[-10:] not in s["phones"]:
                flag(f.value, f.start, f.end, "phone", "a phone number that no cited passage gives")
            elif f.type == "EMAIL" and f.value.lower() not in s["emails"]:
                flag(f.value, f.start, f.end, "email", "an e-mail address that no cited passage gives")
            elif f.type == "ADDRESS" and " ".join(f.value.lower().split()) not in s["addresses"]:
                flag(f.value, f.start, f.end, "address", "an address that no cited passage gives")
        for claim in C.last_fours(reply):
            n_claims += 1
            taken.append((claim.start, claim.end))
            if claim.value not in ev.last_fours:
                flag(claim.text, claim.start, claim.end, "digits",
                     "these last four digits are not the customer's")
        for claim in C.placeholders(reply):
            taken.append((claim.start, claim.end))
            flag(claim.text, claim.start, claim.end, "placeholder",
                 "an internal placeholder: the customer would see it")
        for number, start, end in C.markers(reply):
            taken.append((start, end))
            if ev.check_markers and number not in {c.marker for c in ev.citations}:
                flag(reply[start:end], start, end, "citation", f"[{number}] cites no passage")

        # other numbers
        for claim in C.numbers(reply, taken):
            n_claims += 1
            if claim.value not in s["numbers"]:
                flag(claim.text, claim.start, claim.end, "number",
                     "this number is not in the ticket, the plan or a cited passage")

        # regulations
        for claim in C.regulations(reply):
            n_claims += 1
            if claim.value not in s["regimes"]:
                flag(claim.text, claim.start, claim.end, "regulation",
                     f"{claim.text} is not the rule for this case and no cited passage names it")

        # policy sentences
        policy = []
        for a, b in spans:
            text = reply[a:b]
            if _SIGNOFF.search(text):
                continue
            marks = [m for m, _, _ in C.markers(text)]
            if marks or _POLICY_CUE.search(text):
                policy.append((a, b, text, marks))
        n_claims += len(policy)
        if policy:
            by_marker = {c.marker: c.chunk_id for c in ev.citations}
            passages = {p.chunk_id: p.text for p in ev.passages}
            for a, b, text, marks in policy:
                chosen = [(by_marker[m], passages[by_marker[m]]) for m in marks
                          if m in by_marker and by_marker[m] in passages]
                pool = chosen or list(passages.items())
                if not pool:
                    flag(text, a, b, "policy", "states policy but cites no passage")
                    continue
                clean = re.sub(r"\s*\[\d{1,2}\]", "", text)
                result = self.support.score([clean], pool)[0]
                if result.contradicted:
                    flag(text, a, b, "policy",
                         f"contradicts {result.chunk_id}: \"{result.sentence[:160]}\"")
                elif not self.support.supported(result):
                    flag(text, a, b, "policy",
                         f"not supported by the cited passage (closest, {result.chunk_id}: "
                         f"\"{result.sentence[:120]}\")")

        # forbidden content
        for a, b in spans:
            text = reply[a:b]
            for name, rule, patterns, unless in self._compiled:
                hit = next((m for p in patterns if (m := p.search(text))), None)
                if hit and not any(u.search(text) for u in unless):
                    flag(hit.group(0), a + hit.start(), a + hit.end(), f"forbidden:{name}",
                         rule.why)

        findings.sort(key=lambda f: (f.start, f.kind))
        return Grounding(
            verdict="fail" if findings else "pass", claims=n_claims, unsupported=findings
        )


def _deadline_rules(sentence: str) -> list[str]:
    rules: list[str] = []
    for pattern, names in DEADLINE_WORDS:
        if pattern.search(sentence):
            rules += [n for n in names if n not in rules]
    return rules


def _numbers(text: str) -> set[float]:
    found = {float(m.group(0).replace(",", "")) for m in re.finditer(r"\d+(?:\.\d+)?", text)}
    found |= {float(NUMBER_WORDS[m.group(1).lower()]) for m in _NUMBER_WORD.finditer(text)}
    return found


def last_fours(ticket: str, placeholders: dict[str, str]) -> set[str]:
    """The last four digits the customer's own numbers have (a reply may use those)."""
    found = {m.group(1) or m.group(2) for m in C._LAST_FOUR.finditer(ticket)}
    for placeholder, value in placeholders.items():
        if placeholder.startswith(("[CARD_", "[ACCOUNT_", "[IBAN_")):
            digits = C.digits_of(value)
            if len(digits) >= 4:
                found.add(digits[-4:])
    return found


def passages_of(chunks: Iterable[object]) -> list[Passage]:
    return [Passage(c.chunk_id, c.text) for c in chunks]  # type: ignore[attr-defined]

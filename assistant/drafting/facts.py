"""The facts of one ticket that a reply may repeat: amounts, merchants, dates, the card's
last four digits, how often the customer has written, and how they feel.

Everything is read from the redacted text (and the last four digits from the private
placeholder map), so a reply built from these facts never carries more than the last
four digits of a number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from assistant.clocks.dates import find_dates
from assistant.escalation.amounts import find_amounts
from assistant.guards.pii import Redaction

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()

# A merchant as customers name it: quoted, in capitals, or a capitalised name after
# "at", "from", "to", "with", "by".
# A quoted name starts with a capital or a digit: "'under review'" is a status, not a merchant.
_QUOTED = re.compile(r"[\"'‘“](?P<name>[A-Z0-9][\w&.,'*\- ]{1,38}[\w.])[\"'’”]")
_CAPS = re.compile(r"\b(?P<name>[A-Z][A-Z0-9&*.'-]{2,}(?:\s+[A-Z0-9][A-Z0-9&*.'-]+){0,3})\b")
_NAMED = re.compile(
    r"\b(?:at|from|to|with|by|on)\s+(?:a\s+|an\s+|the\s+)?(?P<name>[A-Z][\w&'.-]+"
    r"(?:\s+(?:[A-Z][\w&'.-]+|of|and|&)){0,3})"
)
_NOT_MERCHANT = frozenset(
    """I I'm I've Lumen Monday Tuesday Wednesday Thursday Friday Saturday Sunday January
    February March April May June July August September October November December ATM ATMs
    CFPB BBB FTC OCC FDIC USD EUR GBP Visa Mastercard PIN SSN IBAN OTP SMS App Google Apple
    Pay Hello Hi Dear Thanks Please US USA UK EU ASAP OK The This That My We You It Help
    Reg Regulation Zelle Venmo Card Wallet Credit Debit Support Lumen's NOT AND THE FOR
    YOU WHY WHAT HOW NOW STILL HELP URGENT PLEASE NEVER MY ME IT IS""".split()
)
_LAST_FOUR = re.compile(
    r"(?i)\b(?:ending(?:\s+in|\s+with)?|ends\s+(?:in|with)|last\s+(?:4|four)(?:\s+digits)?"
    r"(?:\s+(?:are|is|of\s+\w+))?:?|x{2,}[\s-]?|\*{2,}[\s-]?)\s*(\d{4})\b"
)
_REPEAT = re.compile(
    r"(?i)\b(?P<n>second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|6th)\s+(?:time|message|email|"
    r"call|request|complaint|attempt)\b|\b(?P<count>two|three|four|five|six|several|multiple|"
    r"\d+)\s+times\b"
)
_ANGER = re.compile(
    r"(?i)\b(?:furious|angry|livid|outraged|disgusted|ridiculous|unacceptable|joke|"
    r"incompetent|useless|worst|sick of|fed up|disgrace|appalling|pathetic)\b|!{2,}"
)
_DISTRESS = re.compile(
    r"(?i)\b(?:worried|scared|terrified|panic\w*|desperate|stressed|anxious|crying|"
    r"frightened|upset|devastated|distraught|afraid|helpless|shaking)\b"
)
_BEREAVEMENT = re.compile(
    r"(?i)\b(?:passed\s+away|died|death|deceased|funeral|estate|executor|widow(?:ed|er)?|"
    r"bereave\w*|late\s+(?:husband|wife|father|mother|mom|dad|son|daughter|partner))\b"
)
_HARDSHIP = re.compile(
    r"(?i)\b(?:can(?:no|')t\s+afford|cannot\s+pay|lost\s+my\s+job|unemployed|laid\s+off|"
    r"eviction|evicted|rent|food|groceries|benefits|disability\s+check|social\s+security|"
    r"hardship|broke|no\s+money|last\s+\$?\d+|behind\s+on)\b"
)
_ILLNESS = re.compile(
    r"(?i)\b(?:hospital\w*|cancer|chemo\w*|surgery|disabilit\w+|dementia|alzheimer\w*|"
    r"stroke|terminal(?:ly)?\s+ill|seriously\s+ill|carer|caregiver|wheelchair)\b"
)
_REGULATOR = re.compile(
    r"(?i)\b(?P<name>CFPB|Consumer\s+Financial\s+Protection\s+Bureau|attorney\s+general|"
    r"BBB|Better\s+Business\s+Bureau|FTC|OCC|FDIC|(?:state\s+)?banking\s+(?:department|"
    r"regulator)|ombudsman)\b"
)
_LAWYER = re.compile(r"(?i)\b(?:lawyers?|attorneys?|solicitor|lawsuit|sue|suing|court|legal\s+action)\b")
_POLICE = re.compile(r"(?i)\b(?:police|crime\s+(?:reference|number)|filed\s+a\s+report|FBI|IC3)\b")
_RECIPIENT = re.compile(
    r"(?i)\b(?:sent|transferred|paid|wired)\b[^.!?\n]{0,40}\b(?:to|into)\s+(?:an?\s+|the\s+|"
    r"his\s+|her\s+|their\s+)?(?:\[\w+\]|@\w+|[A-Z][a-z]+|account|user|wallet|number)"
)
_CARD_WORD = re.compile(r"(?i)\b(?:card|debit|visa|mastercard|contactless|tap(?:ped)?)\b")


@dataclass(frozen=True)
class TicketFacts:
    amounts: list[str] = field(default_factory=list)  # as written, currency included
    merchants: list[str] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)  # transaction/other dates, oldest first
    last_four: str | None = None
    repeat: str | None = None  # "for the third time", "again"
    angry: bool = False
    distressed: bool = False
    bereaved: bool = False
    hardship: bool = False
    illness: bool = False
    regulator: str | None = None
    lawyer: bool = False
    police_report: bool = False
    recipient: bool = False
    card: bool = False
    received: date | None = None

    @property
    def amount(self) -> str | None:
        return self.amounts[0] if self.amounts else None

    @property
    def amount_list(self) -> str | None:
        """"$64.10 and $72.00" when the ticket names two or three amounts."""
        if not 2 <= len(self.amounts) <= 3:
            return None
        return ", ".join(self.amounts[:-1]) + " and " + self.amounts[-1]

    @property
    def merchant(self) -> str | None:
        return self.merchants[0] if self.merchants else None

    @property
    def date(self) -> date | None:
        return self.dates[0] if self.dates else None


def long_date(day: date) -> str:
    """"Thursday 10 December 2026": the form the tone guide asks for."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def money(text: str, value: float, currency: str) -> str:
    if currency == "USD":
        return f"${value:,.2f}".replace(".00", "") if value == int(value) else f"${value:,.2f}"
    return text.strip()


def repeat_phrase(evidence: str) -> str:
    """How the reply says the customer has written before: "for the third time", "three
    times" (the customer's own count) or "again"."""
    m = _REPEAT.search(evidence)
    if m and m.group("n"):
        return f"for the {_ORDINALS.get(m.group('n').lower(), m.group('n').lower())} time"
    if m and m.group("count") and m.group("count").lower() not in ("several", "multiple"):
        return f"{m.group('count').lower()} times"
    return "again"


_ORDINALS = {"2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth", "6th": "sixth"}


def read_facts(
    redacted: str,
    received: date,
    redaction: Redaction | None = None,
    repeat_evidence: str | None = None,
) -> TicketFacts:
    """``repeat_evidence``: the evidence of the triage's repeat-contact reason, when it
    fired (the reply only says "again" when triage found the customer wrote before)."""
    amounts = []
    for a in find_amounts(redacted):
        shown = money(a.text, a.value, a.currency)
        if shown not in amounts:
            amounts.append(shown)
    dates = sorted(
        {m.date for m in find_dates(redacted, received) if m.kind in ("transaction", "other")}
    )
    last_four = None
    m = _LAST_FOUR.search(redacted)
    if m:
        last_four = m.group(1)
    elif redaction is not None:
        for placeholder in redaction.placeholders:
            if placeholder.startswith("[CARD_"):
                last_four = redaction.last_four(placeholder) or None
                break
    regulator = _REGULATOR.search(redacted)
    return TicketFacts(
        amounts=amounts,
        merchants=merchants(redacted),
        dates=dates,
        last_four=last_four,
        repeat=repeat_phrase(repeat_evidence) if repeat_evidence is not None else None,
        angry=bool(_ANGER.search(redacted)) or _shouting(redacted),
        distressed=bool(_DISTRESS.search(redacted)),
        bereaved=bool(_BEREAVEMENT.search(redacted)),
        hardship=bool(_HARDSHIP.search(redacted)),
        illness=bool(_ILLNESS.search(redacted)),
        regulator=_regulator_name(regulator.group("name")) if regulator else None,
        lawyer=bool(_LAWYER.search(redacted)),
        police_report=bool(_POLICE.search(redacted)),
        recipient=bool(_RECIPIENT.search(redacted)),
        card=bool(_CARD_WORD.search(redacted)),
        received=received,
    )


def merchants(text: str) -> list[str]:
    found: list[str] = []
    for pattern in (_QUOTED, _CAPS, _NAMED):
        for m in pattern.finditer(text):
            name = m.group("name").strip(" .,'")
            words = name.split()
            if not words or all(w.strip(".,'") in _NOT_MERCHANT for w in words):
                continue
            if words[0] in _NOT_MERCHANT and pattern is not _QUOTED:
                continue
            if "[" in name or len(name) < 3 or name.isdigit():
                continue
            if name not in found:
                found.append(name)
    return found[:3]


def _shouting(text: str) -> bool:
    words = re.findall(r"\b[A-Z]{4,}\b", text)
    return len(words) >= 3


def _regulator_name(name: str) -> str:
    short = {"consumer financial protection bureau": "CFPB", "better business bureau": "BBB"}
    return short.get(name.lower(), name if name.isupper() else name.lower())

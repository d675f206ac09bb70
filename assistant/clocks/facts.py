"""Turn a triaged ticket into the facts the clocks need (which regime, which dates)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Iterable

from assistant.clocks.dates import find_dates
from assistant.clocks.rules import ClockFacts
from assistant.escalation.policy import ClockPolicy

_CREDIT_CARD = re.compile(r"(?i)\bcredit[- ]?cards?\b|\bcredit\s+(?:card\s+)?account\b")
_DEBIT = re.compile(r"(?i)\b(?:debit\s+card|checking|prepaid|wallet|bank\s+account)\b")
_CARD = re.compile(r"(?i)\b(?:card|debit|visa|mastercard|amex|discover|contactless)\b")
_POS = re.compile(
    r"(?i)\b(?:store|shop|merchant|restaurant|gas\s+station|checkout|point\s+of\s+sale|pos"
    r"|purchases?|bought|online\s+(?:order|purchase|store)|card\s+payments?)\b"
)
_FOREIGN = re.compile(
    r"(?i)\b(?:abroad|overseas|foreign|international(?:ly)?|cross[- ]border|while\s+(?:travel"
    r"(?:l)?ing|on\s+(?:holiday|vacation))|in\s+(?:mexico|canada|europe|london|paris|spain"
    r"|france|germany|italy|china|india|brazil|nigeria|the\s+uk|japan|thailand|dubai|turkey))\b"
)
_NEW_ACCOUNT = re.compile(
    r"(?i)\b(?:new\s+account|just\s+(?:opened|signed\s+up|joined)|recently\s+(?:opened|joined)"
    r"|opened\s+(?:it|my\s+account|the\s+account|an\s+account)\s+(?:this|last)\s+(?:week|month))\b"
)
_DISPUTE = re.compile(r"(?i)\b(?:dispute|chargeback|charge\s+back|charged\s+twice|double\s+charged)\b")


def clock_facts(
    text: str,
    received: date,
    intent: str,
    signals: Iterable[str],
    policy: ClockPolicy,
) -> ClockFacts:
    codes = set(signals)
    dates = find_dates(text, received)
    opened = [m.date for m in dates if m.kind == "account_opened"]
    new_account = bool(_NEW_ACCOUNT.search(text)) or any(
        received - d <= timedelta(days=30) for d in opened
    )
    eft_error = intent in policy.eft_error_intents or "unauthorized_transaction" in codes
    card_involved = bool(_CARD.search(text)) or intent.startswith("card_")
    card_dispute = intent in policy.card_dispute_intents or (
        card_involved and (eft_error or bool(_DISPUTE.search(text)))
    )
    return ClockFacts(
        received=received,
        eft_error=eft_error,
        credit_card=bool(_CREDIT_CARD.search(text)) and not _DEBIT.search(text),
        card_dispute=card_dispute,
        cfpb_complaint="cfpb_complaint_filed" in codes,
        point_of_sale=intent in policy.point_of_sale_intents or bool(_POS.search(text)),
        foreign=bool(_FOREIGN.search(text)),
        new_account=new_account,
        dates=dates,
    )

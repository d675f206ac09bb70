"""The checkable claims of a reply, each with its span and a normalised value.

Dates (absolute, with or without the weekday, and "tomorrow"-style relative ones), money
amounts and percentages, durations ("10 business days" = "ten business days"), other
numbers, phone numbers, URLs, e-mail addresses, card or account digits, and names of
regulations. Normalised values are what the grounding check compares with the ticket,
the plan and the cited passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator

from dateutil import parser as date_parser

from assistant.clocks.figures import quantities
from assistant.escalation.amounts import find_amounts

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_DATE = re.compile(
    rf"(?i)\b(?:(?P<wd>{_WEEKDAY}),?\s+)?(?:"
    rf"(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH})\.?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{1,2}})-(?P<d3>\d{{1,2}})"
    rf"|(?P<m4>\d{{1,2}})/(?P<d4>\d{{1,2}})/(?P<y4>\d{{2,4}})"
    rf")\b"
)
_LONE_WEEKDAY = re.compile(rf"(?i)\b(?:on|by|this|next|until|before|from)\s+({_WEEKDAY})\b")
_RELATIVE = re.compile(
    r"(?i)\b(?:tomorrow|tonight|the\s+day\s+after\s+tomorrow|next\s+(?:week|month)"
    rf"|next\s+{_WEEKDAY}|end\s+of\s+(?:the\s+)?(?:day|week|month)|within\s+(?:24|48|72)\s+hours"
    r"|in\s+(?:a\s+few|two|three|2|3)\s+days)\b"
)
_PERCENT = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:%|percent\b)")
_NUMBER = re.compile(r"(?<![\w.,$/\[-])\d+(?:[.,]\d+)?(?![\w/%]|[.,]\d|\])")
_URL = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\"']+[^\s<>()\"'.,;:!?]")
_DOMAIN = re.compile(
    r"(?i)\b[a-z0-9-]+\.(?:com|net|org|io|co|us|app|example|info|biz|gov|edu|uk|help|me|ly|link|"
    r"site|online|support|xyz|page|money|finance|bank|care|services)(?:/[^\s]*)?\b"
)
_LAST_FOUR = re.compile(
    r"(?i)\b(?:ending(?:\s+in|\s+with)?|ends\s+(?:in|with)|last\s+(?:4|four)(?:\s+digits)?"
    r"(?:\s+(?:are|is|of))?:?)\s*(\d{4})\b|(?:\*{2,}|x{2,})[\s-]?(\d{4})\b"
)
_PLACEHOLDER = re.compile(r"\[(?:CARD|IBAN|SSN|ROUTING|ACCOUNT|EMAIL|PHONE|ADDRESS)_\d+\]")
_MARKER = re.compile(r"\[(\d{1,2})\]")
REGIMES = {
    "reg_e": re.compile(
        r"(?i)\bReg(?:ulation)?\s+E\b|\bElectronic\s+Fund(?:s)?\s+Transfer\s+Act\b|\bEFTA\b"
        r"|\b1693[a-z]?\b|\b1005\.(?:1[01]|[2-9])\b"
    ),
    "reg_z": re.compile(
        r"(?i)\bReg(?:ulation)?\s+Z\b|\bTruth\s+in\s+Lending\b|\bTILA\b|\bFair\s+Credit\s+"
        r"Billing\s+Act\b|\b1666[a-z]?\b|\b1026\.\d+|\b1643\b"
    ),
    "remittance": re.compile(r"(?i)\b1005\.3[0-6]\b|\bremittance\s+transfer\s+rule\b|\b1693o-1\b"),
}


@dataclass(frozen=True)
class Claim:
    kind: str  # date, weekday, relative_date, amount, percent, duration, number, phone,
    # url, email, last_four, placeholder, regulation
    text: str
    start: int
    end: int
    value: object = None


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_number(word: str) -> int:
    return date_parser.parse(f"1 {word[:3]} 2000").month


def dates(text: str, today: date) -> Iterator[Claim]:
    full: list[tuple[int, int]] = []
    for m in _DATE.finditer(text):
        g = m.groupdict()
        try:
            if g["y3"]:
                day = date(int(g["y3"]), int(g["m3"]), int(g["d3"]))
            elif g["y4"]:
                year = int(g["y4"])
                day = date(year + 2000 if year < 100 else year, int(g["m4"]), int(g["d4"]))
            else:
                month = _month_number(g["m1"] or g["m2"])
                number = int(g["d1"] or g["d2"])
                year_text = g["y1"] or g["y2"]
                if year_text:
                    day = date(int(year_text), month, number)
                else:  # no year: any of last year, this year, next year may be meant
                    options = tuple(
                        d for d in (_safe(y, month, number) for y in
                                    (today.year - 1, today.year, today.year + 1)) if d
                    )
                    if not options:
                        continue
                    full.append((m.start(), m.end()))
                    weekday = g["wd"].lower() if g["wd"] else None
                    yield Claim("date", m.group(0), m.start(), m.end(), (options, weekday))
                    continue
        except (ValueError, TypeError):
            continue
        full.append((m.start(), m.end()))
        weekday = g["wd"].lower() if g["wd"] else None
        yield Claim("date", m.group(0), m.start(), m.end(), ((day,), weekday))
    for m in _LONE_WEEKDAY.finditer(text):
        if any(s <= m.start(1) < e for s, e in full):
            continue
        yield Claim("weekday", m.group(0), m.start(), m.end(), m.group(1).lower())
    for m in _RELATIVE.finditer(text):
        yield Claim("relative_date", m.group(0), m.start(), m.end(), m.group(0).lower())


def weekday_of(day: date) -> str:
    return _WEEKDAYS[day.weekday()]


def amounts(text: str) -> Iterator[Claim]:
    for a in find_amounts(text):
        yield Claim("amount", a.text, a.start, a.end, round(a.value, 2))
    for m in _PERCENT.finditer(text):
        yield Claim("percent", m.group(0), m.start(), m.end(), float(m.group(1)))


def durations(text: str) -> Iterator[Claim]:
    for q in quantities(text, money=False):
        yield Claim("duration", q.text, q.start, q.end, (q.value, q.unit))


def numbers(text: str, taken: list[tuple[int, int]]) -> Iterator[Claim]:
    """Digits not already read as part of a date, amount, duration or marker."""
    for m in _NUMBER.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        yield Claim("number", m.group(0), m.start(), m.end(), float(m.group(0).replace(",", ".")))


def contacts(text: str) -> Iterator[Claim]:
    for m in _URL.finditer(text):
        yield Claim("url", m.group(0), m.start(), m.end(), _norm_url(m.group(0)))
    for m in _DOMAIN.finditer(text):
        if not any(u.start() <= m.start() < u.end() for u in _URL.finditer(text)) and "@" not in text[max(0, m.start() - 1) : m.start()]:
            yield Claim("url", m.group(0), m.start(), m.end(), _norm_url(m.group(0)))


def _norm_url(url: str) -> str:
    url = re.sub(r"(?i)^https?://", "", url).lower().rstrip("/")
    return url.removeprefix("www.")


def last_fours(text: str) -> Iterator[Claim]:
    for m in _LAST_FOUR.finditer(text):
        digits = m.group(1) or m.group(2)
        yield Claim("last_four", m.group(0), m.start(), m.end(), digits)


def placeholders(text: str) -> Iterator[Claim]:
    for m in _PLACEHOLDER.finditer(text):
        yield Claim("placeholder", m.group(0), m.start(), m.end(), m.group(0))


def regulations(text: str) -> Iterator[Claim]:
    for regime, pattern in REGIMES.items():
        for m in pattern.finditer(text):
            yield Claim("regulation", m.group(0), m.start(), m.end(), regime)


def markers(text: str) -> list[tuple[int, int, int]]:
    """(marker number, start, end) of every [n] citation marker."""
    return [(int(m.group(1)), m.start(), m.end()) for m in _MARKER.finditer(text)]


def digits_of(value: str) -> str:
    return re.sub(r"\D", "", value)

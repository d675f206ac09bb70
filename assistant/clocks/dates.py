"""Dates a ticket mentions, resolved against the day it was received.

Candidate expressions are found with patterns; absolute dates are parsed by
``dateutil.parser`` and relative ones ("yesterday", "50 days ago", "last Friday", "on
the 14th") are counted back with ``dateutil.relativedelta``. (dateparser reads more
forms, but costs 1-3 ms per expression against ~0.1 ms here, and triage has a 15 ms
budget.) A date without a year that would fall after the received day is taken to be
in the past year: customers write about what already happened.

Each mention gets a kind from the words just before it, so the clocks know which date
is a statement date, which a transaction date, and which the day an account was opened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from dateutil import parser as date_parser
from dateutil.relativedelta import relativedelta

from assistant.fastregex import guard_module
from assistant.textnorm import mask_decimal_points

Kind = Literal[
    "statement", "account_opened", "transaction", "filed", "delivery", "event", "return",
    "cancelled", "other"
]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "a couple of": 2, "a few": 3, "several": 3,
}  # fmt: skip
_COUNT = r"\d{1,3}|a couple of|a few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")),
    ("numeric", re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})\b")),
    # "on 3/14", "since 11/28": a month and day with no year, after a word that dates it.
    (
        "month_slash_day",
        re.compile(r"(?i)\b(?:on|since|from|dated|by|until|of|around|after|before|in|was|date|"
                   r"parking|night|charged|twice,?|and)\s+(\d{1,2})/(\d{1,2})\b(?![/\d])"),
    ),
    # "May 3", "May 3rd, 2026", "3 May", "the 3rd of May 2026"
    (
        "month_day",
        re.compile(
            rf"(?i)\b{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b(?!\s*(?:%|percent))"
        ),
    ),
    (
        "day_month",
        re.compile(rf"(?i)\b(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b(?:,?\s+\d{{4}})?"),
    ),
    # "the 3rd of last month", "on the 28th of this month"
    (
        "ordinal_of_month",
        re.compile(r"(?i)\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\s+of\s+(last|this|the\s+last|"
                   r"the\s+previous|previous)\s+month\b"),
    ),
    ("ago", re.compile(rf"(?i)\b({_COUNT})\s+(day|week|month|year)s?\s+ago\b")),
    ("named", re.compile(r"(?i)\b(the day before yesterday|yesterday|today|this morning|tonight|last night)\b")),
    # "on New Year's Eve", "the Christmas Eve grocery run": the latest such day
    ("holiday", re.compile(r"(?i)\b(new year'?s eve|new year'?s day|christmas eve|christmas day|valentine'?s day|halloween)\b")),
    ("last_period", re.compile(r"(?i)\blast\s+(week|month)\b")),
    # "on Monday the 9th": the day of the month, checked against the weekday
    (
        "weekday_ordinal",
        re.compile(rf"(?i)\b(?:on\s+)?({'|'.join(_WEEKDAYS)}),?\s+the\s+(\d{{1,2}})(?:st|nd|rd|th)\b"),
    ),
    ("weekday", re.compile(rf"(?i)\b(?:last|this past|on|since|from)\s+({'|'.join(_WEEKDAYS)})\b")),
    # "This was Monday night"
    ("weekday", re.compile(rf"(?i)\b({'|'.join(_WEEKDAYS)})\s+(?:night|morning|afternoon|evening)\b")),
    # "Monday I submitted a complaint": a weekday that opens a sentence dates it
    ("weekday", re.compile(rf"(?:^|(?<=[.!?]\s))(?i:({'|'.join(_WEEKDAYS)}))\b(?!\s*,|\s+(?:is|was|and|or|through|to)\b)")),
    ("ordinal", re.compile(r"(?i)\b(?:on|since|from)\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b")),
]

_KIND_CUES: list[tuple[Kind, re.Pattern[str]]] = [
    # "I have the bank statement": another bank's, not the statement of the account in question
    ("statement", re.compile(r"(?i)(?<!bank )\bstatements?\b")),
    ("filed", re.compile(r"(?i)\b(?:filed|submitted|lodged|complained|complaint)\b")),
    (
        "delivery",
        re.compile(r"(?i)\b(?:deliver(?:y|ed)?|arrived(?=\s*$|\s+(?:on|by|at)\b)|expected|supposed\s+to\s+(?:arrive|come|ship)|"
                   r"due\s+to\s+(?:arrive|ship)|estimated|ETA)\b"),
    ),
    (
        "event",
        re.compile(r"(?i)\b(?:concert|event|show|flight|game|festival|performance|match|"
                   r"wedding|birthday|anniversary|appointment|check-?in)\b"),
    ),
    ("account_opened", re.compile(r"(?i)\b(?:opened|opening|open|signed up|joined|set up my (?:\w+ )?account)\b")),
    # the day goods went back: not the purchase the chargeback counts from
    ("return", re.compile(r"(?i)\b(?:returned|return\s+(?:receipt|slip)|sent\s+(?:it|them)\s+back|dropped\s+(?:it|them)\s+off)\b")),
    # the day a plan was cancelled: not a charge the chargeback counts from
    ("cancelled", re.compile(r"(?i)\b(?:cancell?ed|cancel)\b")),
    (
        "transaction",
        re.compile(
            r"(?i)\b(?:charged?|charges|transactions?|payments?|paid|transfers?|transferred|sent|withdrawals"
            r"|withdr[ae]w[nal]*|debited|purchased?|bought|ordered|took|taken|happened|made"
            r"|appeared|posted|processed|deducted|billed|spent|used|booked|ride|dinner|stolen"
            r"|shopped|deposited|parking|parked)\b"
        ),
    ),
]


_HOLIDAYS = {
    "new years eve": (12, 31), "new years day": (1, 1), "christmas eve": (12, 24),
    "christmas day": (12, 25), "valentines day": (2, 14), "halloween": (10, 31),
}
_PURCHASE_VERB = re.compile(r"(?i)\b(?:bought|paid|purchased|ordered|booked|charged)\b")
_IN_WORD_DOT = re.compile(r"(?<=\w)\.(?=\w)")


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    end: int
    date: date
    kind: Kind


def find_dates(text: str, received: date) -> list[DateMention]:
    """Every date the text mentions that resolves to a day on or before ``received``."""
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    masked = mask_decimal_points(text)  # for the kind: "$200.00" does not end a sentence
    for name, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue  # a longer, earlier pattern already read this text
            day = _resolve(name, match, received)
            if day is None or day > received:
                continue
            taken.append((match.start(), match.end()))
            kind = _kind(masked, match)
            if name == "last_period" and kind != "account_opened":
                # "I sent it last month" names no day: it dates no transfer or statement
                # (a deadline counted from a guessed day could be late).
                kind = "other"
            mentions.append(DateMention(match.group(0), match.start(), match.end(), day, kind))
    return sorted(mentions, key=lambda m: m.start)


def _resolve(name: str, match: re.Match[str], received: date) -> date | None:
    try:
        if name == "iso":
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if name == "numeric":
            year = int(match.group(3))
            year = year + 2000 if year < 100 else year
            return date(year, int(match.group(1)), int(match.group(2)))  # US order: M/D/Y
        if name == "month_slash_day":
            candidate = date(received.year, int(match.group(1)), int(match.group(2)))
            return candidate if candidate <= received else candidate - relativedelta(years=1)
        if name in ("month_day", "day_month"):
            cleaned = re.sub(r"(?i)\b(the|of)\b", " ", match.group(0))
            default = datetime(received.year, received.month, 1)
            parsed = date_parser.parse(cleaned, default=default).date()
            if not re.search(r"\d{4}", match.group(0)) and parsed > received:
                parsed = parsed - relativedelta(years=1)
            return parsed
        if name == "ordinal_of_month":
            back = 0 if match.group(2).lower() == "this" else 1
            first = date(received.year, received.month, 1) - relativedelta(months=back)
            return first.replace(day=int(match.group(1)))
        if name == "ago":
            count = match.group(1).lower()
            n = int(count) if count.isdigit() else _NUMBER_WORDS[count]
            unit = match.group(2).lower()
            return received - relativedelta(**{f"{unit}s": n})
        if name == "named":
            word = match.group(1).lower()
            back = {"the day before yesterday": 2, "yesterday": 1, "last night": 1}.get(word, 0)
            return received - timedelta(days=back)
        if name == "last_period":
            unit = match.group(1).lower()
            return received - (timedelta(days=7) if unit == "week" else relativedelta(months=1))
        if name == "weekday":
            target = _WEEKDAYS.index(match.group(1).lower())
            back = (received.weekday() - target) % 7 or 7
            return received - timedelta(days=back)
        if name == "holiday":
            month, day = _HOLIDAYS[match.group(1).lower().replace("'", "")]
            candidate = date(received.year, month, day)
            return candidate if candidate <= received else candidate - relativedelta(years=1)
        if name == "weekday_ordinal":
            target, day = _WEEKDAYS.index(match.group(1).lower()), int(match.group(2))
            candidate = date(received.year, received.month, 1)
            for _ in range(13):  # the latest month, on or before the received day, that fits
                try:
                    found = candidate.replace(day=day)
                except ValueError:  # no such day in that month
                    found = None
                if found and found <= received and found.weekday() == target:
                    return found
                candidate -= relativedelta(months=1)
            return None
        if name == "ordinal":
            day = int(match.group(1))
            candidate = date(received.year, received.month, day)
            return candidate if candidate <= received else candidate - relativedelta(months=1)
    except (ValueError, OverflowError, date_parser.ParserError):
        return None  # "February 30", "13/45/2026": not a date
    return None


def _kind(masked: str, match: re.Match[str]) -> Kind:
    """The kind of date from the nearest cue word in the same sentence ("statement dated
    May 3", "charged on the 14th", "50 days ago I was charged"); words before the date
    win a tie. ``masked`` is the text with its decimal points masked (same offsets)."""
    window = _IN_WORD_DOT.sub("_", masked[max(0, match.start() - 120) : match.start()])
    sentence = re.split(r"[.!?\n;]", window)[-1]
    before = sentence[-60:]
    after = re.split(r"[.!?\n;]|,?\s+but\b", _IN_WORD_DOT.sub("_", masked[match.end() : match.end() + 40]))[0]
    best: tuple[int, Kind] | None = None
    for kind, cue in _KIND_CUES:
        for found in cue.finditer(before):
            distance = len(before) - found.end()
            best = min(best, (distance, kind)) if best else (distance, kind)
        # "on August 30 and returned them": a return named after a date is a later event
        found_after = cue.search(after) if kind != "return" else None
        if found_after:
            distance = found_after.start() + 8
            best = min(best, (distance, kind)) if best else (distance, kind)
    if best and best[1] == "event" and best[0] > 12 and _PURCHASE_VERB.search(sentence):
        # "bought tickets ... on 11/12 for a show on February 7": the first date is the
        # purchase; only a date right after its event word ("the show on Feb 7") is the event.
        return "transaction"
    return best[1] if best else "other"


_PROMISED_BY = re.compile(
    r"\b(?:by|on|until)\s+((?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2})\b",
    re.IGNORECASE,
)


def promised_ahead(text: str, received: date) -> bool:
    """A promised day ("ready for pickup by Sept 9") within 30 days after ``received``:
    what the customer waits for has not come yet. (``find_dates`` keeps past days only.)"""
    for m in _PROMISED_BY.finditer(text):
        try:
            day = date_parser.parse(m.group(1), default=datetime(received.year, 1, 1)).date()
        except (ValueError, OverflowError):
            continue
        if 0 <= (day - received).days <= 30:
            return True
    return False


guard_module(globals())  # after every pattern is built: see assistant/fastregex.py

"""PII in ticket text: find it, replace it with typed placeholders, keep the map private.

Candidates are found with linear-time regular expressions; each is then confirmed by
a maintained validator instead of a hand-written one: Luhn and the card networks'
IIN ranges (``stdnum.luhn``), the IBAN mod-97 checksum and per-country lengths
(``stdnum.iban``), SSN area/group/serial rules (``stdnum.us.ssn``), the ABA routing
checksum (``stdnum.us.rtn``) and phone-number plans (``phonenumbers``, Google's
libphonenumber). Numbers that are only PII by context (routing numbers, account
numbers, bare nine-digit SSNs) need a context word nearby.

Presidio was measured and not used: importing its recognisers takes ~11 s (it pulls
spaCy and transformers), its e-mail recogniser fetches the public-suffix list from the
internet, and its card pattern misses 2-series Mastercard numbers.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.us import rtn, ssn

# Types in priority order: when two findings overlap, the earlier type wins.
PII_TYPES = ("CARD", "IBAN", "SSN", "ROUTING", "ACCOUNT", "EMAIL", "PHONE", "ADDRESS")
_PRIORITY = {name: rank for rank, name in enumerate(PII_TYPES)}


@dataclass(frozen=True)
class PiiFinding:
    type: str
    start: int
    end: int
    value: str  # the text as written; never leaves the service's own record

    @property
    def compact(self) -> str:
        return re.sub(r"[\s.()-]", "", self.value).upper()


@dataclass
class Redaction:
    """Redacted text plus the placeholder map (private: never logged, indexed or sent)."""

    text: str
    findings: list[PiiFinding]
    placeholders: dict[str, str] = field(default_factory=dict)  # placeholder -> value
    labels: list[str] = field(default_factory=list)  # the placeholder of each finding

    def redact_span(self, start: int, end: int, original: str) -> str:
        """``original[start:end]`` with PII replaced; a finding cut by the span is
        replaced whole, so no fragment of a value survives at the edges."""
        pieces, cursor = [], start
        for f, label in zip(self.findings, self.labels):
            if f.end <= start or f.start >= end:
                continue
            pieces += [original[cursor : max(cursor, f.start)], label]
            cursor = max(cursor, f.end)
        pieces.append(original[cursor:end] if cursor < end else "")
        return "".join(pieces)

    def scrub(self, snippet: str) -> str:
        """Replace any PII value that appears in ``snippet`` by its placeholder."""
        for placeholder, value in self.placeholders.items():
            snippet = snippet.replace(value, placeholder)
        return snippet

    def original_offset(self, pos: int) -> int:
        """Map an offset in the redacted text back to the original text; an offset inside
        a placeholder maps to the edge of the value it replaced."""
        shift = 0  # original offset minus redacted offset, before the current finding
        for f, label in zip(self.findings, self.labels):
            red_start = f.start - shift
            if pos <= red_start:
                break
            if pos < red_start + len(label):
                return f.end
            shift += (f.end - f.start) - len(label)
        return pos + shift

    def last_four(self, placeholder: str) -> str:
        """The last four digits of a card or account placeholder: all a reply may show."""
        digits = re.sub(r"\D", "", self.placeholders.get(placeholder, ""))
        return digits[-4:]


# --- candidates -----------------------------------------------------------------------

_SEP = r"[ -]"
_CARD = re.compile(rf"(?<![\d+-])\d(?:{_SEP}?\d){{12,18}}(?![\d])")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?=[ ]?[A-Za-z0-9])")
_SSN = re.compile(r"(?<![\d-])(\d{3})([- ]?)(\d{2})\2(\d{4})(?![\d-])")
_NINE = re.compile(r"(?<![\d-])\d{9}(?![\d-])")
_ACCOUNT = re.compile(
    r"(?i)\b(?:account|acct|a/c|konto(?:nummer)?|kontonr)\.?\s*(?:number|no\.?|num|#|nr\.?)?"
    r"\s*(?:is|was|:|=|-)?\s*(?:#\s*)?(\d(?:[ -]?\d){5,16})(?![\d])"
)
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+"
    r"[A-Za-z]{2,24}(?![\w-])"
)
# One maximal run of digits and phone punctuation; libphonenumber decides what it is.
# (No nested quantifiers, so a megabyte of digits cannot make it backtrack.)
_PHONE = re.compile(r"(?<![\w+/.,-])(?:\+|00)?\(?\d[\d ().-]{5,20}\d(?![\w/-])")
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Loop)"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\.?\s+|\d{{1,3}}(?:st|nd|rd|th)\s+){{1,3}}"
    rf"{_STREET_SUFFIX}\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|#)\.?\s*#?[\w-]{1,6})?"
    r"(?:,\s*[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},?\s+[A-Z]{2}(?:\s+\d{5}(?:-\d{4})?)?)?"
)

_SSN_CONTEXT = re.compile(r"(?i)\b(?:ssn|social security|social sec|tax ?id|tin|itin)\b")
_ROUTING_CONTEXT = re.compile(r"(?i)\b(?:routing|aba|rtn|transit|bank code|wire)\b")
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:call|phone|mobile|cell|tel|telephone|text|sms|whatsapp|reach|contact|"
    r"number|handy|telefon|rufnummer|anrufen|fax)\b"
)
_NOT_PHONE_CONTEXT = re.compile(
    r"(?i)(?:order|ref|reference|transaction|txn|invoice|confirmation|tracking|case|ticket|"
    r"claim|id|receipt|serial|member|customer|dispute|amount|#|no\.)\W{0,3}$"
)


def _context_before(text: str, start: int, pattern: re.Pattern[str], width: int = 40) -> bool:
    return bool(pattern.search(text, max(0, start - width), start))


def _digits(value: str) -> str:
    return re.sub(r"\D", "", value)


def _is_card_number(digits: str) -> bool:
    """Luhn-valid and inside an issuer range a payment card can have."""
    if not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return False
    two, four, six = int(digits[:2]), int(digits[:4]), int(digits[:6])
    n = len(digits)
    return (
        (digits[0] == "4" and n in (13, 16, 19))  # Visa
        or (51 <= two <= 55 and n == 16)  # Mastercard
        or (2221 <= four <= 2720 and n == 16)  # Mastercard 2-series
        or (two in (34, 37) and n == 15)  # American Express
        or ((four == 6011 or 644 <= int(digits[:3]) <= 649 or two == 65) and n >= 16)  # Discover
        or (622126 <= six <= 622925 and n >= 16)  # Discover/UnionPay co-brand
        or (two == 62 and n >= 16)  # UnionPay
        or ((two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305) and n >= 14)  # Diners
        or (3528 <= four <= 3589 and n >= 16)  # JCB
        or (2200 <= four <= 2204 and n >= 16)  # Mir
        or ((two == 50 or 56 <= two <= 69) and n >= 13)  # Maestro and other debit
    )


def _cards(text: str) -> Iterator[PiiFinding]:
    for m in _CARD.finditer(text):
        if _is_card_number(_digits(m.group())):
            yield PiiFinding("CARD", m.start(), m.end(), m.group())


def _ibans(text: str) -> Iterator[PiiFinding]:
    for m in _IBAN_START.finditer(text):
        # Gather up to 34 alphanumerics (single spaces allowed), then keep the longest
        # prefix that is a valid IBAN; a trailing word cannot be swallowed that way.
        chars: list[tuple[str, int]] = []
        i = m.start()
        while i < len(text) and len(chars) < 34:
            c = text[i]
            if c.isascii() and c.isalnum():
                chars.append((c.upper(), i))
            elif not (c == " " and i + 1 < len(text) and text[i + 1].isalnum()):
                break
            i += 1
        for n in range(len(chars), 14, -1):
            compact = "".join(c for c, _ in chars[:n])
            if stdnum_iban.is_valid(compact):
                end = chars[n - 1][1] + 1
                yield PiiFinding("IBAN", m.start(), end, text[m.start() : end])
                break


def _ssns(text: str) -> Iterator[PiiFinding]:
    for m in _SSN.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        dashed = m.group(2) == "-"
        context = _context_before(text, m.start(), _SSN_CONTEXT)
        if not (dashed or context):
            continue  # a bare nine-digit number is only an SSN when the text says so
        if ssn.is_valid(digits) or context:
            yield PiiFinding("SSN", m.start(), m.end(), m.group())


def _routing_numbers(text: str) -> Iterator[PiiFinding]:
    for m in _NINE.finditer(text):
        if _context_before(text, m.start(), _ROUTING_CONTEXT, 50) and rtn.is_valid(m.group()):
            yield PiiFinding("ROUTING", m.start(), m.end(), m.group())


def _accounts(text: str) -> Iterator[PiiFinding]:
    for m in _ACCOUNT.finditer(text):
        yield PiiFinding("ACCOUNT", m.start(1), m.end(1), m.group(1))


def _emails(text: str) -> Iterator[PiiFinding]:
    for m in _EMAIL.finditer(text):
        yield PiiFinding("EMAIL", m.start(), m.end(), m.group())


def _phones(text: str, region: str) -> Iterator[PiiFinding]:
    for m in _PHONE.finditer(text):
        raw = m.group()
        digits = _digits(raw)
        if not 7 <= len(digits) <= 15:
            continue
        formatted = raw.startswith(("+", "00", "(")) or bool(re.search(r"\d[ .-]\d", raw))
        if _NOT_PHONE_CONTEXT.search(text, max(0, m.start() - 25), m.start()):
            continue
        if not formatted and not _context_before(text, m.start(), _PHONE_CONTEXT):
            continue  # an unformatted digit run is an order or reference number by default
        try:
            number = phonenumbers.parse("+" + raw[2:] if raw.startswith("00") else raw, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            yield PiiFinding("PHONE", m.start(), m.end(), raw)


def _addresses(text: str) -> Iterator[PiiFinding]:
    for m in _ADDRESS.finditer(text):
        yield PiiFinding("ADDRESS", m.start(), m.end(), m.group().rstrip(".,"))


class PiiDetector:
    """Finds PII spans; stateless and cheap, so one instance serves every request."""

    def __init__(self, phone_region: str = "US") -> None:
        self.phone_region = phone_region

    def find(self, text: str) -> list[PiiFinding]:
        found: list[PiiFinding] = []
        if any(c.isdigit() for c in text):
            found += _cards(text)
            found += _ibans(text)
            found += _ssns(text)
            found += _routing_numbers(text)
            found += _accounts(text)
            found += _phones(text, self.phone_region)
            found += _addresses(text)
        if "@" in text:
            found += _emails(text)
        return _without_overlaps(found)

    def redact(self, text: str) -> Redaction:
        findings = self.find(text)
        counters: dict[str, int] = {}
        by_value: dict[tuple[str, str], str] = {}
        placeholders: dict[str, str] = {}
        pieces: list[str] = []
        labels: list[str] = []
        cursor = 0
        for f in findings:
            key = (f.type, f.compact)
            if key not in by_value:  # the same number twice gets the same placeholder
                counters[f.type] = counters.get(f.type, 0) + 1
                by_value[key] = f"[{f.type}_{counters[f.type]}]"
                placeholders[by_value[key]] = f.value
            pieces += [text[cursor : f.start], by_value[key]]
            labels.append(by_value[key])
            cursor = f.end
        pieces.append(text[cursor:])
        return Redaction("".join(pieces), findings, placeholders, labels)


def _without_overlaps(findings: Iterable[PiiFinding]) -> list[PiiFinding]:
    """Keep the highest-priority (then longest) finding wherever findings overlap."""
    starts: list[int] = []  # kept spans, sorted by start; they never overlap each other
    kept: list[PiiFinding] = []
    for f in sorted(findings, key=lambda f: (_PRIORITY[f.type], -(f.end - f.start))):
        i = bisect.bisect_left(starts, f.start)
        if (i > 0 and kept[i - 1].end > f.start) or (i < len(kept) and kept[i].start < f.end):
            continue
        starts.insert(i, f.start)
        kept.insert(i, f)
    return kept

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

from assistant.fastregex import guard_module

# Types in priority order: when two findings overlap, the earlier type wins.
PII_TYPES = ("IBAN", "CARD", "SSN", "ROUTING", "ACCOUNT", "EMAIL", "PHONE", "ADDRESS")
_PRIORITY = {name: rank for rank, name in enumerate(PII_TYPES)}


@dataclass(frozen=True)
class PiiFinding:
    type: str
    start: int
    end: int
    value: str  # the text as written; never leaves the service's own record
    weak: bool = False  # found by the bare-number policy alone, with no evidence of its own

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

# Card digits may be grouped by a dash, one or two spaces or a line break (a number
# pasted across two lines). A letter right before the digits means an IBAN or an id.
_CARD_SEP = r"(?:[.-]|[ \t]{1,2}|[ \t]?\r?\n[ \t]?)"
_CARD = re.compile(rf"(?<![\w+-])\d(?:{_CARD_SEP}?\d){{12,18}}(?![\d])")
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2} ?\d{2}(?=[ -]{0,2}[A-Za-z0-9])")
# 3-2-4 with the same separator twice (078-05-1120, 078 05 1120, 078.05.1120).
_SSN_SHAPED = re.compile(r"(?<![\w.-])(\d{3})([-. ])(\d{2})\2(\d{4})(?![\w-]|\.\d|\s\d)")
# Nine digits with any single separators between them (078-051120, 07805-1120): an SSN
# only when the text says so.
_NINE_LOOSE = re.compile(r"(?<![\w.-])\d(?:[-. ]?\d){8}(?![\w-]|\.\d)")
_ROUTING_DASHED = re.compile(r"(?<![\w-])\d{4}-\d{4}-\d(?![\w-])")  # the MICR grouping
_DIGIT_RUN = re.compile(r"(?<![\w.,$€£¥-])\d{8,17}(?![\w-]|[.,]\d)")
_ACCOUNT = re.compile(
    r"(?i)\b(?:account|acct|acc|a/c|konto(?:nummer)?|kontonr)\.?\s*(?:number|no\.?|num|#|nr\.?)?"
    r"\s*(?:is|was|:|=|-)?\s*(?:#\s*)?(\d(?:[ -]?\d){5,16})(?![\d])"
)
# Unicode letters are allowed (internationalised addresses and domains); an ASCII-encoded
# top-level domain (xn--p1ai) too.
_EMAIL = re.compile(
    r"(?<![\w.+-])[^\W_][\w.%+'-]{0,63}@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+"
    r"(?:[^\W\d_]{2,63}|xn--[a-z0-9-]{1,59})(?![\w-])"
)
# One maximal run of digits and phone punctuation; the rules below decide what it is.
# (No nested quantifiers, so a megabyte of digits cannot make it backtrack.)
_PHONE = re.compile(
    r"(?<![\w+/.,-])(?:\+|00|011[ .-]?)?\(?\d[\d ().-]{5,20}\d(?![\w/:-])"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,5}\b)?"
)
# A token of letters and digits just before ("1Z 9X8 7V6 03 5509 9947"): part of a code.
_CODE_BEFORE = re.compile(r"(?=\S*[A-Za-z])(?=\S*\d)[A-Za-z0-9]+ $")
# A North American number written the way people write one: (555) 123-4567,
# 312.555.0198, +1 312 555 0198. Masked even when libphonenumber calls it invalid
# (fictional 555 exchanges, unassigned area codes): a person plainly wrote a phone.
_NANP_SHAPE = re.compile(
    r"^(?:\+?1[ .-]?)?(?:\(\d{3}\)[ ]?|\d{3}[ .-])\d{3}[ .-]\d{4}$"
)
_DATE_START = re.compile(r"\d{4}-\d{1,2}-\d{1,2}\b")
_DATE_SHAPE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}|\d{4}([./-])\d{1,2}\2\d{1,2}")
_STREET_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl"
    r"|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Alley|Loop)"
)
_STATES = (
    r"Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Georgia"
    r"|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland"
    r"|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada"
    r"|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma"
    r"|Oregon|Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah"
    r"|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming|District of Columbia"
)
_UNIT = r"(?:,?\s+(?i:apt|apartment|suite|ste|unit|fl|floor|#)\.?\s*#?[\w-]{1,6})?"
# ", Dayton, OH 45402", "\nAustin TX 78701", ", Nashua, New Hampshire 03062"
_CITY_STATE = (
    r"(?:(?:,\s*|\s*\n\s*)[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},?\s+(?:[A-Z]{2}|" + _STATES + r")"
    r"(?:\s+\d{5}(?:-\d{4})?)?)?"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Z]?\s+(?:(?:[NSEW]|NE|NW|SE|SW)\.?\s+)?(?:[A-Z][a-z]+\.?\s+|\d{{1,3}}(?:st|nd|rd|th)\s+){{1,3}}"
    rf"{_STREET_SUFFIX}\b\.?(?:\s+(?:N|S|E|W|NE|NW|SE|SW)\b)?"
    + _UNIT
    + _CITY_STATE
)
# All lower case ("600 oak hollow rd raleigh nc 27601"): only with a state and ZIP code
# after it, which no sentence about "3 new court fees" has.
_ADDRESS_LOWER = re.compile(
    rf"(?i)\b\d{{1,6}}\s+(?:[a-z]+\.?\s+){{1,3}}{_STREET_SUFFIX}\b\.?"
    r"(?:,?\s+(?:apt|apartment|suite|ste|unit|#)\.?\s*#?[\w-]{1,6})?"
    r",?\s+(?:[a-z]+\s){1,3},?\s*(?:[a-z]{2}|" + _STATES + r")\s+\d{5}(?:-\d{4})?\b"
)
_PO_BOX = re.compile(
    r"(?i)\b(?:P\.?\s?O\.?\s?Box|Post\s+Office\s+Box|(?:RR|R\.R\.|Rural\s+Route|HC)\s*\d{1,3}"
    r",?\s+Box)\s+\d{1,6}\b" + r"(?-i:" + _CITY_STATE + ")"
)

_SSN_CONTEXT = re.compile(
    r"(?i)\b(?:ssn|ss\s?#|ss\s+(?:no|number)|social(?!\s+media)|soc\.?\s+sec|tax ?id|tin|itin)\b"
    r"|\bss#"
)
_CARD_CONTEXT = re.compile(r"(?i)\b(?:card|visa|mastercard|amex|discover)\b")
_ROUTING_CONTEXT = re.compile(r"(?i)\b(?:routing|aba|rtn|transit|bank code|wire)\b")
_PHONE_CONTEXT = re.compile(
    r"(?i)\b(?:call(?:ed|ing|s)?|phon(?:e|ed|ing)|mobile|cell|tel|telephone|text(?:ed|ing)?|sms"
    r"|whatsapp|reach|contact|ring|rang|dial(?:led)?"
    r"|handy|telefon|rufnummer|anrufen|fax|landline|(?:my|your|his|her|our|their) number"
    r"|number is|international one)\b"
)
# A number the customer labels as something that is not personal data: kept, so that a
# draft can quote an order or case number. Either a label word before it ("order
# 4821", "tracking #: ...", "terminal 4569"), or any word + "number/no./#/id/code"
# that is not a word for personal data ("bill number", "document no.").
_LABELS = (
    r"order|ref|reference|transaction|txn|trans|transfer|payout|payment|invoice|inv|quote"
    r"|confirmation|conf|tracking|track|shipment|parcel|package|waybill|awb|fedex|ups|usps"
    r"|dhl|case|ticket|claim|complaint|id|receipt|serial|member|membership|customer|dispute"
    r"|booking|reservation|flight|store|model|version|build|item|sku|batch|po|auth"
    r"|authori[sz]ation|approval|terminal|merchant|company|statement|bill|subscription"
    r"|loyalty|rewards|document|doc|check|cheque|deposit|mtcn|policy|contract|voucher|coupon"
    r"|gift card|library card|loyalty card|membership card|id card|student card|health card"
    r"|insurance card|promo|code|pin mailer"
)
_NOT_PII_LABEL = re.compile(
    rf"(?i)\b(?:{_LABELS})s?\b\s*(?:number|no\.?|num|nr|code|id|ref(?:erence)?|#)?\s*"
    r"(?:is|was|:|=)?\s*#?\s*:?\s*$"
    r"|(?<![\w])#\s*$"
)
_ANY_LABEL = re.compile(
    r"(?i)\b(?P<word>[a-z]+)\s+(?:number|no\.?|num|nr|#|id|code)\s*(?:is|was|:|=)?\s*#?\s*$"
)
_PII_WORDS = frozenset(
    "account acct routing aba rtn transit card credit debit visa mastercard amex phone cell "
    "mobile contact telephone tel social security ssn ss tax iban bank my your his her our "
    "their the a an this that whatsapp fax home work office landline international "
    "checking savings wire sort".split()
)
# "the right number is", "my German number": a phone, not a label.
_ADJECTIVES = frozenset(
    "right correct new old best other real only main second alternate alternative backup "
    "current updated personal private direct primary usual daytime evening".split()
)
_POSSESSIVE = re.compile(r"(?i)\b(?:my|your|his|her|our|their)\s+(?:\w+\s+)?$")
# A short capitalised code just before the number ("TID 7017", "MTCN 7946"), unless it is
# the name of the personal number itself.
_CODE_LABEL = re.compile(r"\b([A-Z]{2,5})\s*[:#]?\s*$")
_PII_ACRONYMS = frozenset("SSN SS ABA RTN IBAN TIN ITIN EIN ACCT DOB BIC SWIFT".split())
# Any other word right before a bare number is read as its name ("incident 4537",
# "folio 9161"), unless it is a word for personal data or a function word ("from",
# "is", "use"); a number that passes a routing or card checksum is masked all the same.
_WORD_BEFORE = re.compile(r"\b([A-Za-z][A-Za-z'-]{2,})\s*[:#(]?\s*$")
_FUNCTION_WORDS = frozenset(
    "the and but for from with into onto over under about after before than that this "
    "these those there here was were are has have had his her its our their your you "
    "mine ours yours them they she him who whom which what when where why how not "
    "use used using send sent sending paid pay pays paying got get gets give gave given "
    "enter entered type typed try tried put add added take took made make use is be "
    "been being via per to at on in of by or as it me my us we an a is was are also "
    "still just only even again then now here try please thanks thank hello dear ".split()
)


def _is_label_word(word: str) -> bool:
    word = word.lower()
    verb_form = len(word) > 4 and word.endswith(("ed", "ing"))  # "debited 9454...", "showing"
    return (
        not verb_form
        and word not in _FUNCTION_WORDS
        and word not in _PII_WORDS
        and word not in _ADJECTIVES
        and not _PII_WORD_STEMS.match(word)
    )


_PII_WORD_STEMS = re.compile(
    r"(?:account|acct|routing|card|phone|call|text|social|ssn|iban|bank|check|saving|cell"
    r"|mobile|contact|number|wire|transit|aba|zelle|venmo)", re.IGNORECASE
)


def _passes_checksum(digits: str) -> bool:
    return (len(digits) == 9 and rtn.is_valid(digits)) or (
        13 <= len(digits) <= 19 and luhn.is_valid(digits)
    )


# A number in a list after a labelled one ("orders 3996 and 5403", "case 013 / 8548").
_LIST_BEFORE = re.compile(r"(\d[\d.-]*)\s*(?:,|/|&|\band\b|\bor\b|\bvs\.?)\s*$", re.IGNORECASE)


def _context_before(text: str, start: int, pattern: re.Pattern[str], width: int = 40) -> bool:
    return bool(pattern.search(text, max(0, start - width), start))


def _labelled_not_pii(text: str, start: int, depth: int = 0, digits: str = "") -> bool:
    """The number at ``start`` is named as something that is not personal data. With
    ``digits`` (the bare-number policy), any noun before it counts as such a name too."""
    window = text[max(0, start - 40) : start]
    if _NOT_PII_LABEL.search(window):
        return True
    label = _ANY_LABEL.search(window)
    if (
        label
        and label.group("word").lower() not in _PII_WORDS
        and label.group("word").lower() not in _ADJECTIVES
        and not _POSSESSIVE.search(window, 0, label.start("word"))
    ):
        return True
    code = _CODE_LABEL.search(window)
    if code and code.group(1) not in _PII_ACRONYMS:
        return True
    noun = _WORD_BEFORE.search(window) if digits else None
    if noun and _is_label_word(noun.group(1)) and not _passes_checksum(digits):
        return True  # "incident 4537...", "folio 9161...": a noun names the number
    listed = _LIST_BEFORE.search(window)
    if listed and depth < 6:
        return _labelled_not_pii(
            text, start - len(window) + listed.start(1), depth + 1, digits
        )
    return False


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
        or (digits[0] == "1" and n == 15)  # UATP (airline cards)
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
        if _labelled_not_pii(text, m.start()):
            continue
        digits = _digits(m.group())
        # A card number with a wrong digit, after the word "card", still carries the
        # customer's other digits: masked too.
        if _is_card_number(digits) or (
            _context_before(text, m.start(), _CARD_CONTEXT, 30) and 13 <= len(digits) <= 19
        ):
            yield PiiFinding("CARD", m.start(), m.end(), m.group())


def _ibans(text: str) -> Iterator[PiiFinding]:
    for m in _IBAN_START.finditer(text):
        # Gather up to 34 alphanumerics (single dashes or up to two spaces between
        # groups), then keep the longest prefix that is a valid IBAN; a trailing word
        # cannot be swallowed that way.
        chars: list[tuple[str, int]] = []
        i = m.start()
        while i < len(text) and len(chars) < 34:
            c = text[i]
            if c.isascii() and c.isalnum():
                chars.append((c.upper(), i))
            elif not (c in " -" and _iban_gap(text, i)):
                break
            i += 1
        for n in range(len(chars), 14, -1):
            compact = "".join(c for c, _ in chars[:n])
            if _is_iban(compact):
                end = chars[n - 1][1] + 1
                yield PiiFinding("IBAN", m.start(), end, text[m.start() : end])
                break


def _iban_gap(text: str, i: int) -> bool:
    """A separator inside an IBAN: one dash, or one or two spaces, with more IBAN after."""
    j, k = i, i
    while j > 0 and text[j - 1] in " -":
        j -= 1
    while k < len(text) and text[k] in " -":
        k += 1
    return text[j:k] in ("-", " ", "  ") and k < len(text) and text[k].isalnum()


def _is_iban(compact: str) -> bool:
    # The mod-97 check and the country's length; national check digits are left out
    # because python-stdnum rejects valid IBANs whose bank code it does not know (BE).
    try:
        stdnum_iban.validate(compact, check_country=False)
    except Exception:  # stdnum raises its own ValidationError subclasses
        return False
    return True


def _ssns(text: str) -> Iterator[PiiFinding]:
    for m in _SSN_SHAPED.finditer(text):
        digits = m.group(1) + m.group(3) + m.group(4)
        if ssn.is_valid(digits) and not _labelled_not_pii(text, m.start()):
            yield PiiFinding("SSN", m.start(), m.end(), m.group())
    for m in _NINE_LOOSE.finditer(text):
        digits = _digits(m.group())
        if _context_before(text, m.start(), _SSN_CONTEXT) and not _nine_ones(digits):
            # The customer says it is their SSN: believe them, valid ranges or not.
            yield PiiFinding("SSN", m.start(), m.end(), m.group())


def _nine_ones(digits: str) -> bool:
    return len(set(digits)) == 1


def _routing_numbers(text: str) -> Iterator[PiiFinding]:
    for pattern in (_NINE_LOOSE, _ROUTING_DASHED):
        for m in pattern.finditer(text):
            digits = _digits(m.group())
            if len(digits) != 9 or not rtn.is_valid(digits):
                continue
            if _context_before(text, m.start(), _ROUTING_CONTEXT, 50) or (
                pattern is _ROUTING_DASHED and not _labelled_not_pii(text, m.start())
            ):
                yield PiiFinding("ROUTING", m.start(), m.end(), m.group())


def _accounts(text: str) -> Iterator[PiiFinding]:
    for m in _ACCOUNT.finditer(text):
        yield PiiFinding("ACCOUNT", m.start(1), m.end(1), m.group(1))


def _bare_numbers(text: str) -> Iterator[PiiFinding]:
    """The policy for long numbers written with no label at all (docs/DESIGN.md, "Bare
    numbers"): masked, because a support inbox would rather hide a valid routing number
    than leak one; a number the customer labels (order, case, tracking ...) is kept.
    These findings are weak: any finding with evidence of its own wins an overlap."""
    for m in _DIGIT_RUN.finditer(text):
        digits = m.group()
        if (
            _nine_ones(digits)
            or _is_calendar_date(digits)
            or _labelled_not_pii(text, m.start(), digits=digits)
        ):
            continue
        if len(digits) == 9 and _routing_prefix(digits) and rtn.is_valid(digits):
            kind = "ROUTING"
        elif len(digits) == 9 and ssn.is_valid(digits):
            kind = "SSN"
        else:
            kind = "ACCOUNT"
        yield PiiFinding(kind, m.start(), m.end(), digits, weak=True)


def _routing_prefix(digits: str) -> bool:
    """The Federal Reserve routing symbol: 00-12 (banks), 21-32 (thrifts), 61-72
    (electronic), 80 (traveller's cheques)."""
    head = int(digits[:2])
    return head <= 12 or 21 <= head <= 32 or 61 <= head <= 72 or head == 80


def _is_calendar_date(digits: str) -> bool:
    """20260314 or 03142026: a date written without separators."""
    if len(digits) != 8:
        return False
    for y, mo, d in ((digits[:4], digits[4:6], digits[6:]), (digits[4:], digits[:2], digits[2:4])):
        if 1900 <= int(y) <= 2100 and 1 <= int(mo) <= 12 and 1 <= int(d) <= 31:
            return True
    return False


def _emails(text: str) -> Iterator[PiiFinding]:
    for m in _EMAIL.finditer(text):
        yield PiiFinding("EMAIL", m.start(), m.end(), m.group())


def _phones(text: str, region: str) -> Iterator[PiiFinding]:
    for m in _PHONE.finditer(text):
        raw = m.group()
        start, end = m.start(), m.end()
        if raw.startswith("(") and ")" not in raw:  # "(call 312...": the bracket is prose
            raw, start = raw[1:], start + 1
        raw = raw.rstrip(" .-(")
        end = start + len(raw)
        digits = _digits(re.sub(r"(?i)\s*(?:x|ext\.?|extension)\s*\d{1,5}$", "", raw))
        if not 7 <= len(digits) <= 15:
            continue
        if _labelled_not_pii(text, start) or _DATE_SHAPE.fullmatch(raw):
            continue
        if _CODE_BEFORE.search(text, max(0, start - 12), start) or _DATE_START.match(raw):
            continue
        main = re.sub(r"(?i)\s*(?:x|ext\.?|extension)\s*\d{1,5}$", "", raw)
        formatted = raw.startswith(("+", "00", "(")) or bool(re.search(r"\d[ .-]\d", raw))
        context = _context_before(text, start, _PHONE_CONTEXT)
        if not formatted and not context:
            continue  # an unformatted digit run is left to the bare-number policy
        if _NANP_SHAPE.match(main) or (context and _phone_shaped(main, digits)):
            yield PiiFinding("PHONE", start, end, raw)
            continue
        try:
            number = phonenumbers.parse("+" + main[2:] if main.startswith("00") else main, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            yield PiiFinding("PHONE", start, end, raw)


def _phone_shaped(raw: str, digits: str) -> bool:
    """After a phone word: any plausible dialling string, valid in a numbering plan or
    not (fictional 555 numbers, a country code without its plus)."""
    if raw.startswith(("+", "00", "011")) or 10 <= len(digits) <= 13:
        return True
    return bool(re.fullmatch(r"\d{3}[ .-]\d{4}", raw))  # 555-0198 written without an area code


def _addresses(text: str) -> Iterator[PiiFinding]:
    for pattern in (_ADDRESS, _ADDRESS_LOWER, _PO_BOX):
        for m in pattern.finditer(text):
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
            found += _bare_numbers(text)
            found += _phones(text, self.phone_region)
            found += _addresses(text)
        if "@" in text:
            found += _emails(text)
        return _without_overlaps(found)

    def redact(self, text: str, keep: Iterable[str] = ()) -> Redaction:
        """``text`` with PII replaced by typed placeholders. ``keep``: values that are not
        personal data here (the company's published contact points, which a knowledge-base
        document declares in `public_contacts`) stay as written."""
        public = {_normal(v) for v in keep}
        findings = [
            f for f in self.find(text)
            if not public or not any(_normal(f.value) in p for p in public)
        ]
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


def _normal(value: str) -> str:
    return " ".join(value.lower().split())


def _without_overlaps(findings: Iterable[PiiFinding]) -> list[PiiFinding]:
    """Keep the finding with evidence of its own over a weak one, then the highest-priority
    type, then the longest, wherever findings overlap."""
    starts: list[int] = []  # kept spans, sorted by start; they never overlap each other
    kept: list[PiiFinding] = []
    ranked = sorted(findings, key=lambda f: (f.weak, _PRIORITY[f.type], -(f.end - f.start)))
    for f in ranked:
        i = bisect.bisect_left(starts, f.start)
        if (i > 0 and kept[i - 1].end > f.start) or (i < len(kept) and kept[i].start < f.end):
            continue
        starts.insert(i, f.start)
        kept.insert(i, f)
    return kept


guard_module(globals())  # after every pattern is built: see assistant/fastregex.py

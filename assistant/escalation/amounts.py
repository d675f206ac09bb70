"""Money amounts a ticket mentions, with their currency.

Candidates are found by pattern (a currency symbol or code next to a number); the number
itself is read by `price-parser`, which knows both "1,500.00" and "1.500,00".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from price_parser import Price

_SYMBOLS = {"$": "USD", "US$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD",
            "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₺": "TRY", "R$": "BRL"}  # fmt: skip
_WORDS = {"dollars": "USD", "dollar": "USD", "bucks": "USD", "usd": "USD", "euros": "EUR",
          "euro": "EUR", "eur": "EUR", "pounds": "GBP", "quid": "GBP", "gbp": "GBP",
          "cad": "CAD", "aud": "AUD", "jpy": "JPY", "inr": "INR", "chf": "CHF", "mxn": "MXN",
          "pesos": "MXN", "yen": "JPY", "rupees": "INR"}  # fmt: skip
_NUMBER = r"\d{1,3}(?:[,. \u00a0]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_SCALE = r"(?:\s?(?P<scale>k|K|thousand|grand|million|mil|m|M)\b)?"
_SYMBOL = r"(?:US\$|C\$|CA\$|A\$|AU\$|R\$|[$€£¥₹₽₺])"
_WORD = "|".join(sorted(_WORDS, key=len, reverse=True))
_AMOUNT = re.compile(
    rf"(?P<sym>{_SYMBOL})\s?(?P<num>{_NUMBER}){_SCALE}"
    # "250 €", but not the digits of a handle before an amount ("@seller_22 $180")
    rf"|(?<![\w@])(?P<num2>{_NUMBER})\s?(?P<sym2>{_SYMBOL})(?!\s?\d)"
    rf"|(?<![\w@])(?P<num3>{_NUMBER}){_SCALE.replace('scale', 'scale3')}\s?(?P<word>(?i:{_WORD}))\b"
    rf"|\b(?P<code>(?i:usd|eur|gbp|cad|aud|chf))\s?(?P<num4>{_NUMBER}){_SCALE.replace('scale', 'scale4')}"
)
_MULTIPLIER = {"k": 1_000, "thousand": 1_000, "grand": 1_000, "million": 1_000_000,
               "mil": 1_000_000, "m": 1_000_000}  # fmt: skip


@dataclass(frozen=True)
class Amount:
    value: float
    currency: str
    text: str
    start: int
    end: int


def find_amounts(text: str) -> list[Amount]:
    out = []
    for m in _AMOUNT.finditer(text):
        number = m.group("num") or m.group("num2") or m.group("num3") or m.group("num4")
        symbol = m.group("sym") or m.group("sym2")
        currency = (
            _SYMBOLS[symbol]
            if symbol
            else _WORDS.get((m.group("word") or m.group("code") or "").lower(), "USD")
        )
        parsed = Price.fromstring(number.replace("\u00a0", " ")).amount
        if parsed is None:
            continue
        scale = m.group("scale") or m.group("scale3") or m.group("scale4")
        value = Decimal(parsed) * _MULTIPLIER.get((scale or "").lower(), 1)
        out.append(Amount(float(value), currency, m.group(0), m.start(), m.end()))
    return out

"""PII detection and redaction: validators, context rules, hard negatives, bad input."""

import time

import pytest

from assistant.guards.pii import PiiDetector
from assistant.ticket import prepare_ticket

detector = PiiDetector("US")


def types(text: str) -> list[tuple[str, str]]:
    return [(f.type, f.value) for f in detector.find(text)]


@pytest.mark.parametrize(
    "number",
    [
        "4111 1111 1111 1111",  # Visa
        "5500-0000-0000-0004",  # Mastercard 51-55
        "2223000048400011",  # Mastercard 2-series
        "3782 822463 10005",  # Amex 4-6-5
        "6011 0009 9013 9424",  # Discover
        "3530111333300000",  # JCB
        "6200000000000005",  # UnionPay
        "36227206271667",  # Diners 14 digits
    ],
)
def test_cards_of_every_network_are_found(number: str) -> None:
    assert types(f"my card {number} was charged") == [("CARD", number)]


def test_luhn_invalid_and_non_card_numbers_are_left_alone() -> None:
    assert types("the card 4111 1111 1111 1112 is not mine") == []
    assert types("order #4155550132 from 2024-05-03 for $1,234.56") == []
    assert types("tracking 1Z999AA10123456784, ref TXN-8837-A20194") == []
    assert types("card ending in 4242, zip 90210, app version 4.12.7") == []


def test_a_plus_prefixed_number_is_a_phone_not_a_card() -> None:
    assert types("text me on +49 176 03384802") == [("PHONE", "+49 176 03384802")]


def test_ssn_needs_dashes_or_context() -> None:
    assert types("SSN 219-09-9999") == [("SSN", "219-09-9999")]
    assert types("my social security number is 219099999") == [("SSN", "219099999")]
    assert types("member id 219099999") == []


def test_iban_checksum_and_trailing_words() -> None:
    assert types("IBAN DE89 3704 0044 0532 0130 00 please") == [
        ("IBAN", "DE89 3704 0044 0532 0130 00")
    ]
    assert types("send to gb33bukb20201555555555") == [("IBAN", "gb33bukb20201555555555")]
    assert types("IBAN DE89 3704 0044 0532 0130 01") == []  # checksum fails


def test_routing_and_account_numbers_need_context() -> None:
    assert types("routing number 021000021") == [("ROUTING", "021000021")]
    assert types("case 021000021") == []
    assert types("my account number is 000123456789") == [("ACCOUNT", "000123456789")]


def test_phones_emails_addresses() -> None:
    assert types("call (415) 555-2671 or mail anna.b@example.com") == [
        ("PHONE", "(415) 555-2671"),
        ("EMAIL", "anna.b@example.com"),
    ]
    assert types("call me on 4155552671") == [("PHONE", "4155552671")]
    assert types("send it to 1600 Pennsylvania Ave NW, Washington, DC 20500.") == [
        ("ADDRESS", "1600 Pennsylvania Ave NW, Washington, DC 20500")
    ]
    assert types("I paid 3 times at Main Street Cafe on 5th Avenue") == []


def test_redaction_uses_typed_stable_placeholders() -> None:
    text = "Card 4111 1111 1111 1111, again 4111-1111-1111-1111; mail a@b.com"
    redaction = detector.redact(text)
    assert redaction.text == "Card [CARD_1], again [CARD_1]; mail [EMAIL_1]"
    assert redaction.placeholders == {"[CARD_1]": "4111 1111 1111 1111", "[EMAIL_1]": "a@b.com"}
    assert redaction.last_four("[CARD_1]") == "1111"
    assert "4111" not in redaction.text


def test_a_span_cutting_through_pii_never_leaks_a_fragment() -> None:
    text = "write to joe@example.com now"
    redaction = detector.redact(text)
    assert redaction.redact_span(0, 15, text) == "write to [EMAIL_1]"


def test_junk_is_fast_and_finds_nothing_absurd() -> None:
    for junk in ("1" * 2_000_000, "1 " * 1_000_000, "4-" * 1_000_000):
        ticket = prepare_ticket(junk, max_chars=20_000)
        started = time.perf_counter()
        found = detector.find(ticket.text)
        assert time.perf_counter() - started < 2.0
        assert all(f.type in ("CARD", "PHONE") for f in found)

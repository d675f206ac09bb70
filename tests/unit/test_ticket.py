import pytest

from assistant.errors import InputError
from assistant.ticket import prepare_ticket


def test_plain_ticket_passes_unchanged() -> None:
    ticket = prepare_ticket("  My card was charged twice.  ", max_chars=1000)
    assert ticket.text == "My card was charged twice."
    assert ticket.warnings == []


@pytest.mark.parametrize("raw", ["", "   ", "\n\t\r\n", b"", b"   "])
def test_empty_ticket_is_rejected_with_a_hint(raw: str | bytes) -> None:
    with pytest.raises(InputError) as err:
        prepare_ticket(raw, max_chars=1000)
    assert "empty" in err.value.message
    assert err.value.hint


def test_two_megabyte_ticket_is_truncated_with_a_warning() -> None:
    raw = "I was charged twice for the same order. " * 52_000  # ~2 MB
    assert len(raw) > 2_000_000
    ticket = prepare_ticket(raw, max_chars=20_000)
    assert len(ticket.text) <= 20_000
    assert ticket.original_chars == len(raw)
    assert any("truncated" in w for w in ticket.warnings)


def test_invalid_utf8_names_the_offending_byte() -> None:
    with pytest.raises(InputError) as err:
        prepare_ticket(b"refund please \xff\xfe", max_chars=1000)
    assert "UTF-8" in err.value.message and "offset 14" in err.value.message


def test_binary_junk_is_rejected() -> None:
    junk = bytes(range(0, 32)) * 20
    with pytest.raises(InputError) as err:
        prepare_ticket(junk, max_chars=1000)
    assert "binary" in err.value.message


def test_a_few_control_characters_are_removed_with_a_warning() -> None:
    ticket = prepare_ticket("refund\x00 for order\x07 123", max_chars=1000)
    assert "\x00" not in ticket.text and "\x07" not in ticket.text
    assert ticket.warnings and "control" in ticket.warnings[0]

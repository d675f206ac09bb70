"""Regulatory clock arithmetic: pinned dates on the Federal Reserve calendar."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from assistant.clocks.calendar import BusinessCalendar
from assistant.clocks.dates import find_dates
from assistant.clocks.facts import clock_facts
from assistant.clocks.rules import ClockFacts, compute_deadlines
from assistant.errors import ConfigError
from assistant.escalation.policy import load_policy
from assistant.kb.chunk_ids import anchor

CAL = BusinessCalendar("FED")
WED_BEFORE_THANKSGIVING = date(2026, 11, 25)


def _by_rule(facts: ClockFacts) -> dict[str, object]:
    return {d.rule: d for d in compute_deadlines(facts, CAL)}


def test_ten_business_days_skip_thanksgiving_and_weekends() -> None:
    # Thu 26 Nov is Thanksgiving; 10 business days from Wed 25 Nov end on Thu 10 Dec
    # (without the holiday they would end on Wed 9 Dec).
    assert CAL.add_business_days(WED_BEFORE_THANKSGIVING, 10) == date(2026, 12, 10)
    assert BusinessCalendar("US").add_business_days(date(2026, 11, 20), 10) == date(2026, 12, 7)


def test_a_notice_on_a_holiday_counts_from_the_next_business_day() -> None:
    assert CAL.add_business_days(date(2026, 11, 26), 1) == date(2026, 11, 30)
    assert not CAL.is_business_day(date(2026, 11, 26))
    assert CAL.is_business_day(date(2026, 11, 27))


def test_saturday_holidays_are_not_moved_to_friday_on_the_fed_calendar() -> None:
    # 4 July 2026 is a Saturday: banks open on Friday 3 July (the government does not).
    assert CAL.is_business_day(date(2026, 7, 3))
    assert not BusinessCalendar("US").is_business_day(date(2026, 7, 3))


def test_unknown_calendar_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown holiday calendar"):
        BusinessCalendar("NARNIA")


def test_reg_e_deadlines_for_a_notice_before_thanksgiving() -> None:
    facts = ClockFacts(received=WED_BEFORE_THANKSGIVING, eft_error=True)
    rules = _by_rule(facts)
    assert rules["reg_e_investigation"].deadline == date(2026, 12, 10)
    assert rules["reg_e_provisional_credit"].deadline == date(2026, 12, 10)
    assert rules["reg_e_investigation_extended"].deadline == date(2027, 1, 9)  # +45 days
    # 3 business days after Sat 9 Jan 2027: Mon 11 is day 0 after rolling, so Thu 14.
    assert rules["reg_e_report_results"].deadline == date(2027, 1, 14)
    assert rules["reg_e_investigation"].chunk_id == "regulation/15-usc-1693f#a"


def test_reg_e_new_account_and_point_of_sale_extend_the_clocks() -> None:
    new = _by_rule(ClockFacts(received=WED_BEFORE_THANKSGIVING, eft_error=True, new_account=True))
    assert new["reg_e_investigation"].deadline == date(2026, 12, 24)  # 20 business days
    assert new["reg_e_investigation"].chunk_id is None  # the regulation, not the statute
    assert "12 CFR 1005.11(c)(3)(i)" in new["reg_e_investigation"].citation
    pos = _by_rule(ClockFacts(received=WED_BEFORE_THANKSGIVING, eft_error=True, point_of_sale=True))
    assert pos["reg_e_investigation_extended"].deadline == date(2027, 2, 23)  # 90 days
    assert "not the statute" not in pos["reg_e_investigation"].note
    assert "the statute says 45" in pos["reg_e_investigation_extended"].note


def test_statement_date_sets_the_60_day_notice_window_and_says_if_late() -> None:
    received = date(2026, 11, 25)
    facts = ClockFacts(
        received=received,
        eft_error=True,
        dates=find_dates("My statement dated September 1 shows it.", received),
    )
    window = _by_rule(facts)["reg_e_notice_window"]
    assert window.deadline == date(2026, 10, 31)
    assert "LATE" in window.note


def test_reg_z_for_credit_cards() -> None:
    rules = _by_rule(ClockFacts(received=WED_BEFORE_THANKSGIVING, eft_error=True, credit_card=True))
    assert "reg_e_investigation" not in rules
    assert rules["reg_z_acknowledge"].deadline == date(2026, 12, 25)
    assert rules["reg_z_resolve"].deadline == date(2027, 2, 23)
    assert rules["reg_z_resolve"].chunk_id == "regulation/15-usc-1666#a"


def test_chargeback_window_counts_from_the_transaction_date() -> None:
    received = date(2026, 11, 25)
    dates = find_dates("I was charged on the 14th for something I never bought.", received)
    rules = _by_rule(ClockFacts(received=received, card_dispute=True, dates=dates))
    assert rules["card_chargeback_window"].deadline == date(2027, 3, 14)
    missing = _by_rule(ClockFacts(received=received, card_dispute=True))
    assert missing["card_chargeback_window"].deadline is None
    assert "ask for it" in missing["card_chargeback_window"].note


def test_cfpb_clocks() -> None:
    rules = _by_rule(ClockFacts(received=WED_BEFORE_THANKSGIVING, cfpb_complaint=True))
    assert rules["cfpb_company_response"].deadline == date(2026, 12, 10)
    assert rules["cfpb_final_response"].deadline == date(2027, 1, 24)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("Someone took $500 yesterday.", date(2026, 11, 24), "transaction"),
        ("50 days ago I was charged twice", date(2026, 10, 6), "transaction"),
        ("My statement dated May 3 shows it", date(2026, 5, 3), "statement"),
        ("the charge from December 5 is wrong", date(2025, 12, 5), "transaction"),
        ("I opened my account 2 weeks ago", date(2026, 11, 11), "account_opened"),
        ("it was charged on 11/02/2026", date(2026, 11, 2), "transaction"),
        ("last Friday I sent money", date(2026, 11, 20), "transaction"),
        ("a payment on the 14th", date(2026, 11, 14), "transaction"),
    ],
)
def test_dates_resolve_against_the_received_day(text: str, expected: date, kind: str) -> None:
    (mention,) = find_dates(text, date(2026, 11, 25))
    assert (mention.date, mention.kind) == (expected, kind)
    assert text[mention.start : mention.end] == mention.text


def test_impossible_and_future_dates_are_ignored() -> None:
    assert find_dates("on 02/30/2026 and 12/31/2026, rated 10/10", date(2026, 11, 25)) == []


def test_facts_from_a_ticket() -> None:
    policy = load_policy().clocks
    text = "I opened my account last week and someone used my card at a store in Mexico."
    facts = clock_facts(text, WED_BEFORE_THANKSGIVING, "card_payment_not_recognised", [], policy)
    assert facts.eft_error and facts.card_dispute and facts.point_of_sale and facts.foreign
    assert facts.new_account and not facts.credit_card


def test_every_statute_chunk_id_names_a_heading_in_kb() -> None:
    root = Path(__file__).resolve().parents[2] / "kb"
    ids = set()
    for path in root.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        doc = re.search(r"^id:\s*(\S+)", text, re.M)
        if doc:
            ids |= {f"{doc.group(1)}#{anchor(h)}" for h in re.findall(r"^## (.+)$", text, re.M)}
    facts = ClockFacts(received=WED_BEFORE_THANKSGIVING, eft_error=True)
    cited = {d.chunk_id for d in compute_deadlines(facts, CAL) if d.chunk_id}
    cited |= {d.chunk_id for d in compute_deadlines(
        ClockFacts(received=WED_BEFORE_THANKSGIVING, eft_error=True, credit_card=True), CAL
    ) if d.chunk_id}  # fmt: skip
    assert cited and cited <= ids, cited - ids

"""Regulatory clock arithmetic: pinned dates on the Federal Reserve calendar."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from assistant.clocks.calendar import BusinessCalendar
from assistant.clocks.dates import find_dates
from assistant.clocks.facts import DISPUTED_BY_INTENT, UNAUTHORIZED_BY_INTENT, clock_facts
from assistant.clocks.rules import ClockFacts, compute_deadlines
from assistant.errors import ConfigError
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
        ("I paid them on the 2nd of last month", date(2026, 10, 2), "transaction"),
        ("I was charged on the 9th of this month", date(2026, 11, 9), "transaction"),
        ("I sent it in 10/05 to my cousin", date(2026, 10, 5), "transaction"),
        ("there are charges from Monday I do not know", date(2026, 11, 23), "transaction"),
        # "last month" names no day: it dates no transfer
        ("I sent it last month, nothing came", date(2026, 10, 25), "other"),
        # an amount's decimal point does not cut the sentence the kind is read from
        ("I sent $310.00 to my aunt in Quito on 11/20", date(2026, 11, 20), "transaction"),
        ("The lamp I ordered arrived on Monday", date(2026, 11, 23), "delivery"),
        ("It was fine. Friday I sent $50 to my landlord.", date(2026, 11, 20), "transaction"),
        # another bank's statement does not date the account's statement
        ("The money left my bank on the 20th (I have the bank statement)", date(2026, 11, 20),
         "other"),
        # the day of the month a weekday names; a weekday with its part of the day
        ("On Thursday the 12th I sent $90 to my brother", date(2026, 11, 12), "transaction"),
        ("Somebody withdrew it Sunday evening", date(2026, 11, 22), "transaction"),
        ("My statement date was 11/3, I think", date(2026, 11, 3), "statement"),
        # a dot inside a web address ends no sentence
        ("I filed at consumerfinance.gov on the 16th", date(2026, 11, 16), "filed"),
        ("I returned the boots on November 2", date(2026, 11, 2), "return"),
        # a holiday names its day; a cancellation date is not a charge
        ("Two charges on New Year's Eve I did not make", date(2025, 12, 31), "transaction"),
        ("I cancelled the plan on 11/04 by email", date(2026, 11, 4), "cancelled"),
    ],
)
def test_dates_resolve_against_the_received_day(text: str, expected: date, kind: str) -> None:
    (mention,) = find_dates(text, date(2026, 11, 25))
    assert (mention.date, mention.kind) == (expected, kind)
    assert text[mention.start : mention.end] == mention.text


def test_a_purchase_date_before_an_event_word_is_the_purchase() -> None:
    text = "I bought two tickets with my card on 10/12/2026 for a show on November 7."
    bought, show = find_dates(text, date(2026, 11, 25))
    assert (bought.date, bought.kind) == (date(2026, 10, 12), "transaction")
    assert (show.date, show.kind) == (date(2026, 11, 7), "event")


def test_a_weekday_opening_a_sentence_dates_it_but_opening_hours_do_not() -> None:
    (filed,) = find_dates("Monday I submitted a complaint to the CFPB.", date(2026, 11, 25))
    assert (filed.date, filed.kind) == (date(2026, 11, 23), "filed")
    assert find_dates("Monday through Friday you are open. Monday, maybe.", date(2026, 11, 25)) == []


def test_a_weekday_and_a_day_that_do_not_match_look_for_the_month_where_they_do() -> None:
    # Saturday 14 November 2026 is the latest Saturday the 14th on or before the day
    (mention,) = find_dates("On Saturday the 14th it was charged", date(2026, 11, 25))
    assert mention.date == date(2026, 11, 14)
    (mention,) = find_dates("On Friday the 14th it was charged", date(2026, 11, 25))
    assert mention.date == date(2026, 8, 14)  # the last Friday the 14th


def test_impossible_and_future_dates_are_ignored() -> None:
    assert find_dates("on 02/30/2026 and 12/31/2026, rated 10/10", date(2026, 11, 25)) == []


@pytest.mark.parametrize(
    ("text", "signals", "expected"),
    [
        # Reg E from evidence: a card purchase abroad (point of sale and initiated abroad)
        ("I opened my account last week and someone used my card at a store in Mexico.",
         ["unauthorized_transaction"],
         {"eft_error": True, "card_dispute": True, "point_of_sale": True, "foreign": True,
          "new_account": True, "credit_card": False}),
        # Reg Z for any billing error on the credit card, whatever the intent
        ("My Lumen Credit card was charged $1,250 for a sofa that was never delivered.",
         [], {"credit_card": True, "card_dispute": True}),
        # money sent to someone abroad is not a transfer initiated abroad
        ("Someone sent $600 from my account to someone in Mexico, I never did that.",
         ["unauthorized_transaction"], {"eft_error": True, "foreign": False}),
        # a frozen account with a CFPB complaint starts the CFPB clocks and nothing else
        ("I have filed a complaint with the CFPB about my frozen account.",
         ["cfpb_complaint_filed", "regulator_threat", "account_restricted"],
         {"eft_error": False, "card_dispute": False, "cfpb_complaint": True}),
        # a scam payment the customer sent is authorised: no Reg E clock
        ("A man posing as my grandson asked for bail money and I sent him $2,000 with a "
         "Lumen transfer.", ["scam"], {"eft_error": False, "card_dispute": False}),
        # money debited for a declined payment is an incorrect transfer
        ("My electric bill payment was declined but the $140 still left my balance.",
         [], {"eft_error": True}),
        # a remittance the customer sent that never arrived
        ("I sent $300 to my mother in Manila with Lumen international transfers on March 3 "
         "and she never received it.", [], {"remittance": True, "eft_error": False}),
        # ...written in the present tense, in pesos, or with "there is nothing"
        ("I send 200 dolar to my sister in Lima last week, she still not have the money.",
         [], {"remittance": True}),
        ("I sent 9,000 pesos to my uncle through Lumen and he only got 8,100.",
         [], {"remittance": True}),
        # the customer denies any unknown charge: no error, whatever else the text says
        ("My card was stolen but there are no transactions I don't recognise on it.",
         [], {"eft_error": False, "card_dispute": False}),
        # a new credit card in the post is not goods not delivered
        ("My Lumen Credit card still hasn't arrived and I ordered it two weeks ago.",
         [], {"credit_card": False, "card_dispute": False}),
        # "will" in the sentence before is not a complaint still to be filed
        ("Nobody will explain the hold. I filed a complaint with the CFPB on Monday.",
         [], {"cfpb_complaint": True}),
        ("If this is not fixed I will file a complaint with the CFPB.",
         [], {"cfpb_complaint": False}),
        # no relation to the payee is an unauthorized transfer, said in the customer's words
        ("An ACH debit of $75 from a gym came out, I don't have a membership with them.",
         [], {"eft_error": True}),
        ("Two transfers went to the Philippines from my app and I don't know anyone there.",
         [], {"eft_error": True, "foreign": False}),
        # ...but a question about a payee is not one
        ("I don't have an account with Chase, can I still send money to my friend there?",
         [], {"eft_error": False}),
        # a decimal point is not the end of a sentence
        ("My paycheck of $2,310.45 from last Friday never showed up, payroll confirmed they "
         "sent it.", [], {"eft_error": True}),
        # a return and no credit, told in two sentences
        ("I returned the boots to the shop with my Lumen Credit card receipt. Three weeks "
         "later there's still nothing on my card.", [], {"credit_card": True}),
        # interest on a balance paid in full is a computation error (Reg Z)
        ("My Lumen Credit card statement shows $22 of interest even though I paid the full "
         "balance on time.", [], {"credit_card": True}),
        # a failed bill payment whose money never came back, in two sentences
        ("The water company says my payment failed last week. The $64 never came back to "
         "my wallet.", [], {"eft_error": True}),
        # ...but not coming back to the app is not money coming back
        ("My transfer failed yesterday and I never went back to the app to retry.",
         [], {"eft_error": False}),
        # a wrong amount found in an international transfer is a remittance error
        ("With a Lumen international transfer I sent $500 to my father in Poland, but $550 "
         "was taken from my account.", [], {"remittance": True, "eft_error": False}),
        # a card used at a named merchant is a point-of-sale transfer
        ("Lost my wallet on Friday and my debit card was used at 'TOOL DEPOT' for $212.",
         [], {"eft_error": True, "point_of_sale": True}),
        # billing errors on the credit card in more of the customers' words
        ("The blender I bought with my Lumen Credit card was meant to ship last week; the "
         "tracking hasn't moved and the shop stopped answering.", [], {"credit_card": True}),
        ("Charged on my Lumen Credit card and the seller now says the desk is backordered, "
         "no date.", [], {"credit_card": True}),
        ("My Lumen Credit statement shows the $89.00 gym fee twice this month.",
         [], {"credit_card": True}),
        ("The quoted price was $640.00 but my Lumen Credit statement shows $690.00.",
         [], {"credit_card": True}),
        ("I shipped them back on 11/02 and there is still no credit on my Lumen Credit card.",
         [], {"credit_card": True}),
        ("I paid $250 toward my Lumen Credit card balance on Monday and the app still shows "
         "my full balance.", [], {"credit_card": True}),
        ("My Lumen Credit card interest calculation is wrong this month.",
         [], {"credit_card": True}),
        ("I have never taken a cash advance but one is on my Lumen Credit statement.",
         [], {"credit_card": True}),
        # ...and a credit card in the post is still not one
        ("I ordered my new Lumen Credit card on the 3rd and it still has not come.",
         [], {"credit_card": False, "card_dispute": False}),
        # a hypothetical is not an error
        ("If I ever find a payment I don't recognise on my debit card, what do I do?",
         [], {"eft_error": False}),
        # Reg E errors told in two sentences
        ("The Midway ATM beeped and returned my card. No cash. The $80 is gone from my "
         "balance.", [], {"eft_error": True}),
        ("The machine only gave me $40 out of the $100 I asked the ATM for.",
         [], {"eft_error": True}),
        ("My rent payment in the app failed, then my balance went down by $900 anyway.",
         [], {"eft_error": True}),
        ("My pension deposit was due on Friday, the agency gave me the trace number, and my "
         "balance never went up.", [], {"eft_error": True}),
        ("My roommate took my phone while I slept; I did not give her permission to send "
         "$300.", [], {"eft_error": True}),
        # remittances in more words
        ("I initiated an international transfer of $400 to my brother in Accra on 11/10 and "
         "nothing has arrived.", [], {"remittance": True}),
        ("Sent money to my mum in Cebu thru the Lumen intl transfer and she got only 9,000 "
         "pesos of the 11,000 quoted.", [], {"remittance": True}),
        # ...and in the words of a second writer's misses
        ("I took the jacket back on 11/01. Today, no credit on my Lumen Credit card.",
         [], {"credit_card": True}),
        ("I paid $120 toward my Lumen Credit card on 11/02 and the account shows no payment.",
         [], {"credit_card": True}),
        ("Four parcels ordered on my Lumen Credit card and not one has shown up.",
         [], {"credit_card": True}),
        ("The airline cancelled my flight and I bought it on my Lumen Credit card.",
         [], {"credit_card": True}),
        ("I paid the $90 deposit on the 3rd with my Lumen debit card and the band never "
         "showed up.", [], {"eft_error": False, "card_dispute": True}),
        ("The quote was $300 for the transfer to my son in Lagos but I paid almost double "
         "with Lumen international.", [], {"remittance": True}),
        ("On vacation in Tulum, Mexico: the ATM gave me no cash but took $200 from my Lumen "
         "account.", [], {"eft_error": True, "foreign": True}),
        ("Somebody used my new Lumen debit card at 'HARDWARE HUB' and I was home.",
         ["unauthorized_transaction"], {"point_of_sale": True, "card_dispute": True}),
        ("My statement shows a $75 transfer to 'J. Ortiz' that I never did.",
         [], {"eft_error": True}),
        ("Transfer to Peru on 11/02 with Lumen international: my sister received 20% less than "
         "the app showed.", [], {"remittance": True}),
        ("I moved $2,000 from my old card but the statement shows the transfer as $200.",
         [], {"eft_error": True}),
        # a card purchase paid in euros is a point-of-sale transfer
        ("In Porto I paid €32.00 with my Lumen debit card and it shows twice.",
         [], {"eft_error": True, "point_of_sale": True, "card_dispute": True}),
        # "I am visiting ... in <a place abroad>" places the ATM abroad
        ("I am visiting my cousins in Lisbon. The ATM near the square gave me nothing but "
         "took $120 from my Lumen account.", [], {"eft_error": True, "foreign": True}),
        # euros from an ATM: the ATM is abroad
        ("My card was taken and someone took out 250 euros from an ATM near the harbour, "
         "I never did that.", ["unauthorized_transaction"], {"eft_error": True, "foreign": True}),
        # a payment to the card credited for less is a Reg Z billing error
        ("My $800.00 payment to my Lumen Credit card was credited as $80.00.", [],
         {"credit_card": True}),
        # a customer's own typo is no error; an amount is not a phone number
        ("I typed the number wrong, 555-0101 instead of 555-0110, and sent $40 to a stranger.",
         [], {"eft_error": False}),
        # a question about what would happen, or taken back, asserts no error
        ("If someone stole my phone and sent money from my wallet, would you refund it? Also "
         "is it different for the credit card? Just asking.", [],
         {"eft_error": False, "credit_card": False, "card_dispute": False}),
        ("About the $20 charge I didn't recognise: never mind, it's the bakery.", [],
         {"eft_error": False, "card_dispute": False}),
        # a plan cancelled with the merchant that kept charging is the merchant's dispute
        ("I cancelled the meal plan on 10/04. Since then they have charged my Lumen debit card "
         "twice, $60 each, for boxes I didn't order.", [],
         {"eft_error": False, "card_dispute": True}),
        # an incoming deposit the sender confirms, not on the account
        ("Payroll confirms my $900 paycheck was sent on Friday. It has not arrived.", [],
         {"eft_error": True}),
        # a stay that did not exist was never delivered
        ("I paid $400 with my Lumen debit card for a rental that did not exist.", [],
         {"eft_error": False, "card_dispute": True}),
    ],
)
def test_the_regime_comes_from_the_evidence(text: str, signals: list[str], expected: dict) -> None:
    facts = clock_facts(text, WED_BEFORE_THANKSGIVING, signals)
    assert {k: getattr(facts, k) for k in expected} == expected


def test_a_confident_intent_stands_in_for_an_error_the_text_does_not_spell_out() -> None:
    text = "The coffee shop payment from this morning looks off on my debit card, please check."
    plain = clock_facts(text, WED_BEFORE_THANKSGIVING, [])
    assert not plain.eft_error
    twice = clock_facts(text, WED_BEFORE_THANKSGIVING, [DISPUTED_BY_INTENT])
    assert twice.eft_error and twice.card_dispute and "confirm with the customer" in twice.basis_note
    unknown = clock_facts(text, WED_BEFORE_THANKSGIVING, [UNAUTHORIZED_BY_INTENT])
    assert unknown.eft_error and "not say the transfer was unauthorized" in unknown.basis_note
    # ...but not where the text names another problem (a purchase that went wrong)
    merchant = clock_facts("The lamp I bought with my debit card arrived broken.",
                           WED_BEFORE_THANKSGIVING, [DISPUTED_BY_INTENT])
    assert "confirm with the customer" not in merchant.basis_note


def test_a_late_reg_e_notice_starts_only_the_notice_window() -> None:
    received = date(2026, 11, 25)
    facts = clock_facts("My statement dated August 31 shows a withdrawal I never made.",
                        received, ["unauthorized_transaction"])
    rules = _by_rule(facts)
    assert set(rules) == {"reg_e_notice_window"} and "LATE" in rules["reg_e_notice_window"].note


def test_the_cfpb_clocks_count_from_the_filing_day_the_customer_gives() -> None:
    facts = clock_facts("I filed a CFPB complaint on Monday about this.",
                        WED_BEFORE_THANKSGIVING, ["cfpb_complaint_filed"])
    rules = _by_rule(facts)
    assert rules["cfpb_company_response"].deadline == date(2026, 11, 23) + timedelta(days=15)


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

"""The deadlines themselves: which apply to a ticket and when each falls.

Figures the statute states cite the statute's chunk in `kb/regulations/` (chunk ids from
`assistant.kb.chunk_ids`); figures that come from the regulation (12 CFR 1005.11,
1026.13), the CFPB's process or card-network rules say so in ``note`` and carry no
chunk id, because the knowledge base holds the statute, not those texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from assistant.clocks.calendar import BusinessCalendar
from assistant.clocks.dates import DateMention

EFTA_1693F = "regulation/15-usc-1693f"
TILA_1666 = "regulation/15-usc-1666"


@dataclass(frozen=True)
class ClockFacts:
    """What the clocks need to know about a ticket."""

    received: date
    eft_error: bool = False  # an error on an electronic fund transfer is claimed (Reg E)
    credit_card: bool = False  # ...on a credit card account, so Reg Z applies instead
    card_dispute: bool = False  # a card payment is disputed: network chargeback window
    cfpb_complaint: bool = False  # the customer has filed a complaint with the CFPB
    point_of_sale: bool = False
    foreign: bool = False
    new_account: bool = False
    dates: list[DateMention] = field(default_factory=list)

    def earliest(self, kind: str) -> DateMention | None:
        found = [m for m in self.dates if m.kind == kind]
        return min(found, key=lambda m: m.date) if found else None


@dataclass(frozen=True)
class Deadline:
    rule: str
    deadline: date | None
    citation: str
    note: str
    chunk_id: str | None = None
    starts_from: date | None = None


def compute_deadlines(facts: ClockFacts, calendar: BusinessCalendar) -> list[Deadline]:
    out: list[Deadline] = []
    if facts.eft_error and facts.credit_card:
        out += _reg_z(facts)
    elif facts.eft_error:
        out += _reg_e(facts, calendar)
    if facts.card_dispute:
        out += _card_network(facts)
    if facts.cfpb_complaint:
        out += _cfpb(facts)
    return out


def _notice_window(
    facts: ClockFacts, rule: str, citation: str, chunk_id: str, duty: str, if_late: str
) -> list[Deadline]:
    """The consumer's 60-day notice window, when the ticket dates the statement."""
    statement = facts.earliest("statement")
    if statement is None:
        return []
    window = statement.date + timedelta(days=60)
    timely = "in time" if facts.received <= window else f"LATE: {if_late}"
    note = (
        f"{duty} (statement dated {statement.date.isoformat()}, '{statement.text}'); "
        f"this notice is {timely}."
    )
    return [Deadline(rule, window, citation, note, chunk_id, statement.date)]


def _reg_e(facts: ClockFacts, cal: BusinessCalendar) -> list[Deadline]:
    r = facts.received
    out = _notice_window(
        facts,
        "reg_e_notice_window",
        "15 U.S.C. 1693f(a); 12 CFR 1005.11(b)(1)",
        f"{EFTA_1693F}#a",
        "The customer must give notice within 60 days of the statement",
        "the bank may limit its liability",
    )
    investigate_days = 20 if facts.new_account else 10
    investigate = cal.add_business_days(r, investigate_days)
    if facts.new_account:
        note = (
            "Investigate and report the result within 20 business days: the account was "
            "opened within 30 days. The 20-day figure is from Regulation E, 12 CFR "
            "1005.11(c)(3)(i), not the statute (which says 10)."
        )
        citation, chunk = "12 CFR 1005.11(c)(3)(i)", None
    else:
        note = "Investigate, decide and report the result within 10 business days of the notice."
        citation, chunk = "15 U.S.C. 1693f(a); 12 CFR 1005.11(c)(1)", f"{EFTA_1693F}#a"
    out.append(Deadline("reg_e_investigation", investigate, citation, note, chunk, r))
    out.append(
        Deadline(
            "reg_e_provisional_credit",
            investigate,
            "15 U.S.C. 1693f(c); 12 CFR 1005.11(c)(2)(i)",
            f"If the investigation will not be finished within {investigate_days} business "
            "days, provisionally credit the disputed amount by this date and tell the "
            "customer within 2 business days of crediting.",
            f"{EFTA_1693F}#c",
            r,
        )
    )
    extended = facts.new_account or facts.point_of_sale or facts.foreign
    finish_days = 90 if extended else 45
    finish = r + timedelta(days=finish_days)
    why = ", ".join(
        w
        for w, on in (
            ("a new account", facts.new_account),
            ("a point-of-sale debit card transaction", facts.point_of_sale),
            ("a foreign-initiated transfer", facts.foreign),
        )
        if on
    )
    out.append(
        Deadline(
            "reg_e_investigation_extended",
            finish,
            "12 CFR 1005.11(c)(3)(ii)" if extended else "15 U.S.C. 1693f(c); 12 CFR 1005.11(c)(2)",
            (
                f"With provisional credit, finish within 90 calendar days ({why}). The 90-day "
                "figure is from Regulation E, 12 CFR 1005.11(c)(3)(ii); the statute says 45."
                if extended
                else "With provisional credit, finish the investigation within 45 calendar days."
            ),
            None if extended else f"{EFTA_1693F}#c",
            r,
        )
    )
    out.append(
        Deadline(
            "reg_e_report_results",
            cal.add_business_days(finish, 3),
            "15 U.S.C. 1693f(d); 12 CFR 1005.11(c)(2)(iv), (d)(1)",
            "Report the result within 3 business days of finishing; this is the latest date, "
            "if the investigation runs to its limit.",
            f"{EFTA_1693F}#d",
            finish,
        )
    )
    return out


def _reg_z(facts: ClockFacts) -> list[Deadline]:
    r = facts.received
    out = _notice_window(
        facts,
        "reg_z_notice_window",
        "15 U.S.C. 1666(a); 12 CFR 1026.13(b)(1)",
        f"{TILA_1666}#a",
        "A written billing-error notice must arrive within 60 days of the first statement "
        "showing the error",
        "the billing-error rights may not apply",
    )
    out.append(
        Deadline(
            "reg_z_acknowledge",
            r + timedelta(days=30),
            "15 U.S.C. 1666(a)(A); 12 CFR 1026.13(c)(1)",
            "Acknowledge the billing-error notice in writing within 30 days of receiving it "
            "(unless it is resolved sooner).",
            f"{TILA_1666}#a",
            r,
        )
    )
    out.append(
        Deadline(
            "reg_z_resolve",
            r + timedelta(days=90),
            "15 U.S.C. 1666(a)(B); 12 CFR 1026.13(c)(2)",
            "Resolve within two complete billing cycles, and never later than 90 days after "
            "the notice: this date is the 90-day outer limit; two cycles may end sooner.",
            f"{TILA_1666}#a",
            r,
        )
    )
    return out


def _card_network(facts: ClockFacts) -> list[Deadline]:
    transaction = facts.earliest("transaction") or facts.earliest("other")
    source = "card-network rules (Visa Core Rules dispute time limits; Mastercard Chargeback Guide)"
    if transaction is None:
        return [
            Deadline(
                "card_chargeback_window",
                None,
                source,
                "File a chargeback within 120 days of the transaction's processing date for "
                "most reason codes. The ticket gives no transaction date: ask for it. "
                "From network rules, not a statute.",
            )
        ]
    return [
        Deadline(
            "card_chargeback_window",
            transaction.date + timedelta(days=120),
            source,
            f"120 days from the transaction on {transaction.date.isoformat()} "
            f"('{transaction.text}') for most Visa and Mastercard reason codes; some "
            "(e.g. goods not received) count from the expected delivery date. "
            "From network rules, not a statute.",
            None,
            transaction.date,
        )
    ]


def _cfpb(facts: ClockFacts) -> list[Deadline]:
    r = facts.received
    source = "CFPB Company Portal Manual (complaint response timelines)"
    return [
        Deadline(
            "cfpb_company_response",
            r + timedelta(days=15),
            source,
            "Respond to the CFPB complaint within 15 calendar days of receiving it through "
            "the portal. From the CFPB's complaint process, not a statute.",
            None,
            r,
        ),
        Deadline(
            "cfpb_final_response",
            r + timedelta(days=60),
            source,
            "If the response was 'in progress', send the final response within 60 calendar "
            "days. From the CFPB's complaint process, not a statute.",
            None,
            r,
        ),
    ]

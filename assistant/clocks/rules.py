"""The deadlines themselves: which apply to a ticket and when each falls
(evals/clocks/SPEC.md). Day counts come from ``figures.yaml`` (declared once).

Figures the statute states cite the statute's chunk in `kb/regulations/` (chunk ids from
`assistant.kb.chunk_ids`); figures that come from the regulation (12 CFR 1005.11,
1005.33, 1026.13), the CFPB's process or card-network rules say so in ``note`` and carry
no chunk id, because the knowledge base holds the statute, not those texts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from assistant.clocks.calendar import BusinessCalendar
from assistant.clocks.facts import ClockFacts
from assistant.clocks.figures import Registry, load_figures

EFTA_1693F = "regulation/15-usc-1693f"
TILA_1666 = "regulation/15-usc-1666"

__all__ = ["ClockFacts", "Deadline", "compute_deadlines"]


@dataclass(frozen=True)
class Deadline:
    rule: str
    deadline: date | None
    citation: str
    note: str
    chunk_id: str | None = None
    starts_from: date | None = None


def compute_deadlines(
    facts: ClockFacts, calendar: BusinessCalendar, figures: Registry | None = None
) -> list[Deadline]:
    f = figures or load_figures()
    out: list[Deadline] = []
    if facts.credit_card:
        out += _reg_z(facts, f)
    elif facts.remittance:
        out += _remittance(facts, calendar, f)
    elif facts.eft_error:
        out += _reg_e(facts, calendar, f)
    if facts.card_dispute:
        out += _card_network(facts, f)
    if facts.cfpb_complaint:
        out += _cfpb(facts, f)
    if facts.notes:
        extra = " Unclear: " + "; ".join(facts.notes) + "."
        out = _noted(out, ("reg_e_investigation_extended",), extra)
    if facts.basis_note:
        out = _noted(out, ("reg_e_", "reg_z_"), " " + facts.basis_note)
    return out


def _noted(deadlines: list[Deadline], rules: tuple[str, ...], extra: str) -> list[Deadline]:
    """``extra`` appended to the note of each deadline whose rule starts with one of ``rules``."""
    return [
        replace(d, note=d.note + extra) if d.rule.startswith(rules) else d for d in deadlines
    ]


def _notice_window(
    facts: ClockFacts, rule: str, days: int, citation: str, chunk_id: str, duty: str,
    if_late: str,
) -> tuple[list[Deadline], bool]:
    """The consumer's notice window, when the ticket dates the statement; and whether
    this notice is late."""
    statement = facts.earliest("statement")
    if statement is None:
        return [], False
    window = statement.date + timedelta(days=days)
    late = facts.received > window
    timely = f"LATE: {if_late}" if late else "in time"
    note = (
        f"{duty} (statement dated {statement.date.isoformat()}, '{statement.text}'); "
        f"this notice is {timely}."
    )
    return [Deadline(rule, window, citation, note, chunk_id, statement.date)], late


def _reg_e(facts: ClockFacts, cal: BusinessCalendar, f: Registry) -> list[Deadline]:
    r = facts.received
    out, late = _notice_window(
        facts,
        "reg_e_notice_window",
        f.value("reg_e_notice_window"),
        "15 U.S.C. 1693f(a); 12 CFR 1005.11(b)(1)",
        f"{EFTA_1693F}#a",
        "The customer must give notice within 60 days of the statement",
        "the 12 CFR 1005.11 error-resolution procedures need not be followed (Lumen still "
        "investigates); the 1005.6 liability limits still apply",
    )
    if late:
        return out
    investigate_days = f.value(
        "reg_e_investigation_new_account" if facts.new_account else "reg_e_investigation"
    )
    investigate = cal.add_business_days(r, investigate_days)
    if facts.new_account:
        note = (
            f"Investigate and report the result within {investigate_days} business days: the "
            "transfer was within 30 days after the account's first deposit. The 20-day figure "
            "is from Regulation E, 12 CFR 1005.11(c)(3)(i), not the statute (which says 10)."
        )
        citation, chunk = "12 CFR 1005.11(c)(3)(i)", None
    else:
        note = (
            f"Investigate, decide and report the result within {investigate_days} business "
            "days of the notice."
        )
        citation, chunk = "15 U.S.C. 1693f(a); 12 CFR 1005.11(c)(1)", f"{EFTA_1693F}#a"
    out.append(Deadline("reg_e_investigation", investigate, citation, note, chunk, r))
    out.append(
        Deadline(
            "reg_e_provisional_credit",
            investigate,
            "15 U.S.C. 1693f(c); 12 CFR 1005.11(c)(2)(i)",
            f"If the investigation will not be finished within {investigate_days} business "
            "days, provisionally credit the disputed amount by this date and tell the "
            f"customer within {f.value('reg_e_credit_notice')} business days of crediting, "
            "with the amount and the date.",
            f"{EFTA_1693F}#c",
            r,
        )
    )
    extended = facts.new_account or facts.point_of_sale or facts.foreign
    finish_days = f.value("reg_e_extended_long" if extended else "reg_e_extended")
    finish = r + timedelta(days=finish_days)
    why = ", ".join(
        w
        for w, on in (
            ("a new account", facts.new_account),
            ("a point-of-sale debit card transaction", facts.point_of_sale),
            ("a transfer initiated outside the United States", facts.foreign),
        )
        if on
    )
    out.append(
        Deadline(
            "reg_e_investigation_extended",
            finish,
            "12 CFR 1005.11(c)(3)(ii)" if extended else "15 U.S.C. 1693f(c); 12 CFR 1005.11(c)(2)",
            (
                f"With provisional credit, finish within {finish_days} calendar days ({why}). "
                "The 90-day figure is from Regulation E, 12 CFR 1005.11(c)(3)(ii); the statute "
                "says 45."
                if extended
                else f"With provisional credit, finish the investigation within {finish_days} "
                "calendar days."
            ),
            None if extended else f"{EFTA_1693F}#c",
            r,
        )
    )
    results = f.value("reg_e_report_results")
    out.append(
        Deadline(
            "reg_e_report_results",
            cal.add_business_days(finish, results),
            "15 U.S.C. 1693f(d); 12 CFR 1005.11(c)(2)(iv), (d)(1)",
            f"Report the result within {results} business days of finishing; this is the "
            "latest date, if the investigation runs to its limit.",
            f"{EFTA_1693F}#d",
            finish,
        )
    )
    return out


def _reg_z(facts: ClockFacts, f: Registry) -> list[Deadline]:
    r = facts.received
    out, late = _notice_window(
        facts,
        "reg_z_notice_window",
        f.value("reg_z_notice_window"),
        "15 U.S.C. 1666(a); 12 CFR 1026.13(b)(1)",
        f"{TILA_1666}#a",
        "A billing-error notice must arrive within 60 days of the first statement showing "
        "the error",
        "the 12 CFR 1026.13 billing-error procedures need not be followed; the $50 cap on "
        "unauthorized use still applies",
    )
    if late:
        return out
    acknowledge = f.value("reg_z_acknowledge")
    resolve = f.value("reg_z_resolve")
    out.append(
        Deadline(
            "reg_z_acknowledge",
            r + timedelta(days=acknowledge),
            "15 U.S.C. 1666(a)(A); 12 CFR 1026.13(c)(1)",
            f"Acknowledge the billing-error notice in writing within {acknowledge} days of "
            "receiving it (unless it is resolved sooner).",
            f"{TILA_1666}#a",
            r,
        )
    )
    out.append(
        Deadline(
            "reg_z_resolve",
            r + timedelta(days=resolve),
            "15 U.S.C. 1666(a)(B); 12 CFR 1026.13(c)(2)",
            "Resolve within two complete billing cycles, and never later than "
            f"{resolve} days after the notice: this date is the outer limit; two cycles may "
            "end sooner.",
            f"{TILA_1666}#a",
            r,
        )
    )
    return out


def _remittance(facts: ClockFacts, cal: BusinessCalendar, f: Registry) -> list[Deadline]:
    r = facts.received
    out: list[Deadline] = []
    sent = facts.earliest("transaction")
    source = "12 CFR 1005.33 (remittance transfers; 15 U.S.C. 1693o-1)"
    if sent is not None:
        window = f.value("remittance_notice_window")
        out.append(
            Deadline(
                "remittance_notice_window",
                sent.date + timedelta(days=window),
                "15 U.S.C. 1693o-1(d); 12 CFR 1005.33(b)(1)",
                f"The sender has {window} days after the disclosed date of availability to "
                f"report an error; counted from the transfer ({sent.date.isoformat()}), the "
                "earlier, safe date. A person should confirm it was a Lumen international "
                "transfer.",
                None,
                sent.date,
            )
        )
    days = f.value("remittance_investigation")
    finish = r + timedelta(days=days)
    out.append(
        Deadline(
            "remittance_investigation",
            finish,
            source,
            f"Investigate and determine whether an error occurred within {days} days of the "
            "notice (12 CFR 1005.33(c)(1)), from the regulation, not the statute.",
            None,
            r,
        )
    )
    results = f.value("remittance_report_results")
    out.append(
        Deadline(
            "remittance_report_results",
            cal.add_business_days(finish, results),
            source,
            f"Report the result and the remedies within {results} business days after "
            "deciding; this is the latest date.",
            None,
            finish,
        )
    )
    return out


def _card_network(facts: ClockFacts, f: Registry) -> list[Deadline]:
    transaction = facts.earliest("transaction")
    if transaction is None:  # a date with no cue word in a card dispute is the purchase's
        undated = [m for m in facts.dates if m.kind == "other" and m.date <= facts.received]
        transaction = min(undated, key=lambda m: m.date) if undated else None
    source = "card-network rules (Visa Core Rules dispute time limits; Mastercard Chargeback Guide)"
    days = f.value("card_chargeback_window")
    if transaction is None:
        return [
            Deadline(
                "card_chargeback_window",
                None,
                source,
                f"File a chargeback within {days} days of the transaction's processing date "
                "for most reason codes. The ticket gives no transaction date: ask for it. "
                "From network rules, not a statute.",
            )
        ]
    return [
        Deadline(
            "card_chargeback_window",
            transaction.date + timedelta(days=days),
            source,
            f"{days} days from the transaction on {transaction.date.isoformat()} "
            f"('{transaction.text}') for most Visa and Mastercard reason codes; some "
            "(e.g. goods not received) count from the expected delivery date, so this is the "
            "earlier date. From network rules, not a statute.",
            None,
            transaction.date,
        )
    ]


def _cfpb(facts: ClockFacts, f: Registry) -> list[Deadline]:
    start = facts.cfpb_filed_on or facts.received
    source = "CFPB Company Portal Manual (complaint response timelines)"
    first, final = f.value("cfpb_company_response"), f.value("cfpb_final_response")
    counted = (
        f"counted from the filing day the customer gives ({start.isoformat()})"
        if facts.cfpb_filed_on and facts.cfpb_filed_on != facts.received
        else "counted from the day we learned of it; check the portal for the day it was sent"
    )
    return [
        Deadline(
            "cfpb_company_response",
            start + timedelta(days=first),
            source,
            f"Respond to the CFPB complaint within {first} calendar days ({counted}). From "
            "the CFPB's complaint process, not a statute.",
            None,
            start,
        ),
        Deadline(
            "cfpb_final_response",
            start + timedelta(days=final),
            source,
            f"If the response was 'in progress', send the final response within {final} "
            "calendar days. From the CFPB's complaint process, not a statute.",
            None,
            start,
        ),
    ]

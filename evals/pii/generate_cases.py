"""Generate the PII evaluation set: evals/datasets/pii/cases.jsonl.

    python evals/pii/generate_cases.py    # deterministic (seeded); rewrites the file

Each line: {"id", "text", "entities": [{"type", "start", "end"}], "kind"}; kind is
"positive" or "hard_negative" (text with number-like things that are NOT PII: order
numbers, dates, amounts, reference codes, Luhn-invalid card-like numbers, ...).
The values are synthetic. Check digits are computed with python-stdnum, and phone
numbers are drawn from real numbering plans (checked with libphonenumber) so that a
case is a number a customer could actually have. Hand-written cases live in
evals/pii/handwritten.txt (PII marked inline as <<TYPE:value>>) and are appended.
"""

from __future__ import annotations

import json
import random
import re
import string
from pathlib import Path

import phonenumbers
from stdnum import iban, luhn
from stdnum.us import rtn

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "evals" / "datasets" / "pii" / "cases.jsonl"
HANDWRITTEN = Path(__file__).with_name("handwritten.txt")
rng = random.Random(20261124)


def digits(n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def card(prefix: str, length: int) -> str:
    body = prefix + digits(length - len(prefix) - 1)
    return body + luhn.calc_check_digit(body)


CARD_KINDS = [
    (lambda: "4", 16), (lambda: "4", 13), (lambda: str(rng.randint(51, 55)), 16),
    (lambda: str(rng.randint(2221, 2720)), 16), (lambda: rng.choice(["34", "37"]), 15),
    (lambda: "6011", 16), (lambda: "65", 16), (lambda: str(rng.randint(3528, 3589)), 16),
    (lambda: "62", 16), (lambda: "36", 14), (lambda: "4", 19), (lambda: "62", 19),
]


def format_card(number: str) -> str:
    style = rng.choice(["plain", "space", "dash", "space"])
    if style == "plain":
        return number
    sep = " " if style == "space" else "-"
    if len(number) == 15:  # Amex 4-6-5
        return sep.join([number[:4], number[4:10], number[10:]])
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


def ssn() -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


IBAN_BBAN = {
    "DE": lambda: digits(18),
    "GB": lambda: rng.choice(["NWBK", "BARC", "LOYD", "HBUK"]) + digits(14),
    "NL": lambda: rng.choice(["ABNA", "INGB", "RABO"]) + digits(10),
    "AT": lambda: digits(16),
    "IE": lambda: rng.choice(["AIBK", "BOFI"]) + digits(14),
    "CH": lambda: digits(17),
}


def make_iban() -> str:
    while True:
        country = rng.choice(list(IBAN_BBAN))
        bban = IBAN_BBAN[country]()
        number = country + iban.calc_check_digits(country + "00" + bban) + bban
        if iban.is_valid(number):
            return number if rng.random() < 0.4 else " ".join(
                number[i : i + 4] for i in range(0, len(number), 4)
            )


def routing() -> str:
    body = rng.choice(["0", "1", "2", "3"]) + digits(7)
    return body + rtn.calc_check_digit(body)


FIRST = ["anna", "james", "li.wei", "maria", "john.smith", "k.mueller", "sofia_r", "omar",
         "jd2024", "peter.o", "chen", "fatima.z"]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "example.org", "web.de", "mail.co.uk",
           "proton.me", "company.io"]


def email() -> str:
    return f"{rng.choice(FIRST)}{rng.choice(['', str(rng.randint(1, 99))])}@{rng.choice(DOMAINS)}"


US_AREAS = ["212", "415", "312", "617", "206", "305", "713", "404", "503", "646", "702", "818"]


def phone() -> str:
    while True:
        style = rng.choice(["us_paren", "us_dash", "us_dot", "us_intl", "uk", "de", "us_space"])
        area, exch, line = rng.choice(US_AREAS), str(rng.randint(201, 989)), digits(4)
        text = {
            "us_paren": f"({area}) {exch}-{line}",
            "us_dash": f"{area}-{exch}-{line}",
            "us_dot": f"{area}.{exch}.{line}",
            "us_space": f"{area} {exch} {line}",
            "us_intl": f"+1 {area} {exch} {line}",
            "uk": f"+44 20 7{digits(3)} {digits(4)}",
            "de": f"+49 {rng.choice(['151', '160', '171', '176'])} {digits(8)}",
        }[style]
        if phonenumbers.is_valid_number(phonenumbers.parse(text, "US")):
            return text


STREETS = ["Maple", "Oak", "Pennsylvania", "Elm", "Washington", "Lake Shore", "Sunset",
           "Main", "Cedar Hill", "Park"]
SUFFIX = ["Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Drive",
          "Court", "Way"]
CITIES = [("Springfield", "IL", "62704"), ("Austin", "TX", "78701"), ("Denver", "CO", "80202"),
          ("Portland", "OR", "97205"), ("Miami", "FL", "33101")]


def address() -> str:
    base = f"{rng.randint(1, 9999)} {rng.choice(STREETS)} {rng.choice(SUFFIX)}"
    if rng.random() < 0.3:
        base += f", Apt {rng.randint(1, 40)}{rng.choice(['', 'B'])}"
    if rng.random() < 0.6:
        city, state, zipcode = rng.choice(CITIES)
        base += f", {city}, {state} {zipcode}"
    return base


TEMPLATES = {
    "CARD": [
        ("My card number is {}. Someone used it in Spain.", format_card),
        ("I was charged twice on card {} yesterday", format_card),
        ("Card: {} - please block it", format_card),
        ("the transaction on {} is not mine!!", format_card),
        ("Hi, my debit card {} was declined at the supermarket.", format_card),
        ("Please refund the $45.99 charged to {} on May 3.", format_card),
        ("Mein Kartennummer ist {}, bitte sperren.", format_card),
        ("card {} exp 04/27 cvv on the back", format_card),
    ],
    "SSN": [
        ("My SSN is {} if you need to verify me.", None),
        ("Social security number: {}", None),
        ("I already gave you my social ({}) twice.", None),
        ("for verification {} is my ssn", None),
    ],
    "IBAN": [
        ("Please send the refund to IBAN {}.", None),
        ("My IBAN: {} (Sparkasse)", None),
        ("I transferred 500 EUR to {} by mistake", None),
        ("Bitte überweisen Sie auf {} zurück.", None),
    ],
    "ROUTING": [
        ("routing number {} and the account is at Chase", None),
        ("ABA {} for the wire", None),
        ("The bank's routing no. is {}.", None),
    ],
    "ACCOUNT": [
        ("My account number is {} and it has been frozen.", None),
        ("acct # {} shows a negative balance", None),
        ("Account no. {} was closed without notice", None),
    ],
    "EMAIL": [
        ("You can reach me at {} anytime.", None),
        ("my email is {}", None),
        ("Send the statement to {} please", None),
        ("I got a phishing mail from {} pretending to be you", None),
    ],
    "PHONE": [
        ("Call me at {} after 5pm.", None),
        ("My phone number is {}.", None),
        ("please text {} when it is done", None),
        ("I can be reached on {}", None),
        ("Someone called me from {} claiming to be your fraud team", None),
        ("Mein Handy: {}", None),
    ],
    "ADDRESS": [
        ("Please send the new card to {}.", None),
        ("I moved to {} last month.", None),
        ("My billing address is {}", None),
    ],
}
GENERATORS = {
    "CARD": lambda: card(*(lambda k: (k[0](), k[1]))(rng.choice(CARD_KINDS))),
    "SSN": ssn, "IBAN": make_iban, "ROUTING": routing,
    "ACCOUNT": lambda: digits(rng.randint(8, 12)), "EMAIL": email, "PHONE": phone,
    "ADDRESS": address,
}
COUNTS = {"CARD": 140, "SSN": 70, "IBAN": 70, "ROUTING": 30, "ACCOUNT": 35, "EMAIL": 70,
          "PHONE": 110, "ADDRESS": 40}


def luhn_invalid_card() -> str:
    number = card(rng.choice(["4", "5", "37"]), 16)
    bad = str((int(number[-1]) + rng.randint(1, 9)) % 10)
    return format_card(number[:-1] + bad)


NEGATIVES = [
    lambda: f"Order #{digits(10)} never arrived, it was placed on {rng.randint(1, 28)}/05/2024.",
    lambda: f"My order number is {digits(8)} and the amount was ${rng.randint(10, 9999)}.{digits(2)}",
    lambda: f"Reference {rng.choice(['REF', 'TXN', 'INV'])}-{digits(4)}-{rng.choice(string.ascii_uppercase)}{digits(5)} is still pending",
    lambda: f"Transaction ID {digits(12)} failed on 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    lambda: f"I paid €{rng.randint(1, 9)}.{digits(3)},{digits(2)} on {rng.randint(1, 28)}.{rng.randint(1, 12)}.2024",
    lambda: f"card ending in {digits(4)} was charged ${rng.randint(1, 999)}.{digits(2)}",
    lambda: f"Tracking number 1Z{digits(3)}AA{digits(10)} shows delivered",
    lambda: f"My case number is {digits(7)}, opened {rng.randint(2, 30)} days ago",
    lambda: f"I sent {rng.randint(100, 5000)} USD at {rng.randint(1, 12)}:{rng.randint(10, 59)} pm on March {rng.randint(1, 28)}",
    lambda: f"The last four digits are {digits(4)} and the zip code is {digits(5)}",
    lambda: f"Invoice {digits(6)}-{digits(3)} for {rng.randint(2, 20)} items",
    lambda: f"App version {rng.randint(1, 9)}.{rng.randint(0, 20)}.{rng.randint(0, 99)} crashes when I log in",
    lambda: f"I was charged {rng.randint(2, 9)} times: ${rng.randint(10, 99)}.{digits(2)} each",
    lambda: f"Dispute {digits(9)} was closed on {rng.randint(1, 12)}/{rng.randint(1, 28)}/2024",
    lambda: f"Member ID {digits(9)} cannot log in",
    lambda: f"Confirmation code {rng.choice(string.ascii_uppercase)}{digits(5)}{rng.choice(string.ascii_uppercase)}",
    lambda: f"Between {rng.randint(1, 9)} and {rng.randint(10, 20)} business days? It's been {rng.randint(21, 60)}!",
    lambda: f"I live at the corner of Main and {rng.choice(STREETS)}, apartment {rng.randint(1, 30)}",
]


def parse_marked(line: str) -> dict:
    """'call <<PHONE:617-555-0142>>' -> text without marks + entity offsets."""
    text, entities = "", []
    for piece in re.split(r"(<<[A-Z]+:[^>]+>>)", line):
        mark = re.fullmatch(r"<<([A-Z]+):([^>]+)>>", piece)
        if mark:
            entities.append({"type": mark[1], "start": len(text), "end": len(text) + len(mark[2])})
            text += mark[2]
        else:
            text += piece
    return {"text": text, "entities": entities, "kind": "handwritten"}


def main() -> None:
    cases = []
    for kind, count in COUNTS.items():
        for _ in range(count):
            template, formatter = rng.choice(TEMPLATES[kind])
            value = GENERATORS[kind]()
            if formatter:
                value = formatter(value)
            start = template.index("{}")
            text = template.replace("{}", value, 1)
            cases.append({"text": text, "entities": [{"type": kind, "start": start, "end": start + len(value)}], "kind": "positive"})
    for _ in range(40):  # several entities in one ticket
        kinds = rng.sample(["CARD", "EMAIL", "PHONE", "IBAN", "SSN"], 2)
        text, entities = "Hello,", []
        for kind in kinds:
            value = GENERATORS[kind]()
            if kind == "CARD":
                value = format_card(value)
            label = {"CARD": "card", "EMAIL": "email", "PHONE": "phone", "IBAN": "IBAN", "SSN": "SSN"}[kind]
            text += f" my {label} is "
            entities.append({"type": kind, "start": len(text), "end": len(text) + len(value)})
            text += value + ","
        text += " thanks."
        cases.append({"text": text, "entities": entities, "kind": "positive"})
    for _ in range(200):
        cases.append({"text": rng.choice(NEGATIVES)(), "entities": [], "kind": "hard_negative"})
    for _ in range(15):  # bare-number policy (docs/DESIGN.md): a mistyped card number after
        value = luhn_invalid_card()  # "card" still carries the customer's digits: masked
        text = f"The card number {value} you show is not my card"
        start = text.index(value)
        entity = {"type": "CARD", "start": start, "end": start + len(value)}
        cases.append({"text": text, "entities": [entity], "kind": "positive"})
    for line in HANDWRITTEN.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cases.append(parse_marked(line))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as fh:
        for i, case in enumerate(cases):
            fh.write(json.dumps({"id": f"pii-{i:04d}", **case}, ensure_ascii=False) + "\n")
    print(f"wrote {len(cases)} cases to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

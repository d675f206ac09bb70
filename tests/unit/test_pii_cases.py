"""The PII evaluation set is well-formed, big enough, and has hard negatives."""

from assistant.evaluation.guards import load_pii_cases


def test_pii_cases_cover_every_type_and_hard_negatives() -> None:
    cases = load_pii_cases()
    assert len(cases) >= 500
    kinds = {e["type"] for c in cases for e in c["entities"]}
    assert {"CARD", "SSN", "IBAN", "EMAIL", "PHONE", "ROUTING", "ACCOUNT", "ADDRESS"} <= kinds
    assert sum(1 for c in cases if not c["entities"]) >= 150
    for case in cases:
        for e in case["entities"]:
            assert case["text"][e["start"] : e["end"]].strip() == case["text"][e["start"] : e["end"]]

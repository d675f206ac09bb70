"""`assistant eval init --from coaching.md`: a coaching document in, a suite skeleton out,
its expectations pre-filled from a run of the assistant and marked for the trainer to
confirm (`to_confirm`).

The document's shape (documented in evals/suites/README.md):

    # Suite: card-disputes
    Free text: the suite's description.

    ## Case: cd-001
    Received: 2026-11-03
    Tags: reg_z, not_delivered

    ### Ticket
    The customer's words ...

    ### Model answer
    The reply the coaching material recommends ...
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import yaml

from assistant.errors import SuiteError

HINT = ("a coaching document has a `# Suite: NAME` title, then one `## Case: ID` section per "
        "example with a `### Ticket` (and optionally `### Model answer`); see "
        "evals/suites/README.md")


def parse_coaching(text: str, source: str) -> dict[str, Any]:
    title = re.search(r"^#\s+Suite:\s*(\S+)\s*$", text, re.MULTILINE)
    if not title:
        raise SuiteError(f"{source}: no `# Suite: NAME` title line", HINT)
    name = title.group(1).strip().lower()
    parts = re.split(r"^##\s+Case:\s*(.+?)\s*$", text, flags=re.MULTILINE)
    description = parts[0][title.end():].strip()
    cases = []
    for i in range(1, len(parts), 2):
        case_id, body = parts[i].strip(), parts[i + 1]
        line = text[: text.index(parts[i])].count("\n") + 1
        sections = dict(_sections(body))
        ticket = sections.get("ticket", "").strip()
        if not ticket:
            raise SuiteError(f"{source} line {line}: case {case_id!r} has no `### Ticket` text",
                             HINT)
        case: dict[str, Any] = {"id": case_id, "ticket": ticket}
        received = re.search(r"^Received:\s*(\d{4}-\d{2}-\d{2})\s*$", body, re.MULTILINE)
        if received:
            try:
                case["received_at"] = date.fromisoformat(received.group(1))
            except ValueError:
                raise SuiteError(f"{source} line {line}: case {case_id!r}: "
                                 f"{received.group(1)} is not a date", HINT) from None
        tags = re.search(r"^Tags:\s*(.+)$", body, re.MULTILINE)
        if tags:
            case["tags"] = [t.strip() for t in tags.group(1).split(",") if t.strip()]
        if sections.get("model answer", "").strip():
            case["reference_reply"] = sections["model answer"].strip()
        cases.append(case)
    if not cases:
        raise SuiteError(f"{source}: no `## Case: ID` sections", HINT)
    return {"name": name, "description": description, "cases": cases}


def _sections(body: str) -> list[tuple[str, str]]:
    pieces = re.split(r"^###\s+(.+?)\s*$", body, flags=re.MULTILINE)
    return [(pieces[i].strip().lower(), pieces[i + 1]) for i in range(1, len(pieces), 2)]


def skeleton(doc: dict[str, Any], drafter: Any, owner: str = "") -> str:
    """The suite YAML, every expectation taken from what the assistant did now."""
    cases = []
    for c in doc["cases"]:
        received = c.get("received_at") or date.today()
        draft = drafter.draft(c["ticket"], received, "composer")
        expect: dict[str, Any] = {
            "intent": draft.intent,
            "escalate": draft.escalate,
            "reasons_include": sorted({r.code for r in draft.reasons}),
            "clocks_include": [{"rule": k.rule, "date": k.deadline} for k in draft.clocks
                               if k.deadline],
            "plan_includes": [draft.plan.playbook],
            "grounding": "pass",
        }
        if c.get("reference_reply"):
            expect["reference_reply"] = c["reference_reply"]
        cases.append({
            "id": c["id"], "ticket": c["ticket"], "received_at": received.isoformat(),
            "tags": c.get("tags", []),
            "to_confirm": [k for k in expect if k != "reference_reply"],
            "expect": expect,
        })
    suite = {
        "name": doc["name"],
        "description": doc["description"] or f"Suite from the coaching document for {doc['name']}",
        "owner": owner,
        "provenance": "skeleton made by `assistant eval init` from a coaching document; every "
                      "expectation listed in a case's to_confirm was pre-filled from a run of the "
                      "assistant and must be confirmed (or corrected) by a trainer, who then "
                      "removes it from to_confirm",
        "gates": [{"metric": "pass_rate", "minimum": 0.8, "max_drop": 0.02},
                  {"metric": "escalation_recall", "minimum": 0.95, "max_drop": 0.0}],
        "cases": cases,
    }
    header = ("# Suite skeleton from a coaching document. Expectations named in `to_confirm`\n"
              "# come from the assistant itself: confirm or correct each, then delete it from\n"
              "# `to_confirm`. Format: evals/suites/README.md\n")
    return header + yaml.safe_dump(suite, sort_keys=False, allow_unicode=True, width=96)

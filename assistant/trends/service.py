"""The trends analysis over the stored cases (`GET /v1/trends`, the UI's Trends page)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from assistant.trends.analysis import analyse
from assistant.trends.cache import TriageCache, triage_stream
from assistant.trends.load import StreamTicket


def stored_trends(workflow: Any, cache_path: Path, since: date | None = None,
                  until: date | None = None, by: str = "week",
                  false_alarms: float = 1.0) -> dict[str, Any]:
    rows, clocks = workflow.case_stream(since, until)
    tickets = [StreamTicket(r["id"], r["text"], date.fromisoformat(r["received_at"]),
                            {"outcome": r["outcome"]}) for r in rows]
    if not tickets:
        return {"tickets": 0, "clocks": clocks}
    triaged, _ = triage_stream(tickets, workflow.drafter.triager, TriageCache(cache_path))
    result = analyse(tickets, triaged, by, false_alarms)
    result["clocks"] = clocks
    return result

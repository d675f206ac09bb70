"""Locust users for ``assistant load-test`` (run by the ``locust`` command, never imported
by the service: locust monkey-patches the standard library with gevent).

The scenario, key and target rate come from the environment ``assistant load-test`` sets:
``LOAD_SCENARIO`` (triage, tickets or soak), ``LOAD_KEY`` (an API key), ``LOAD_RATE``
(requests per second per simulated user) and ``LOAD_TEXTS`` (a JSON file of ticket texts).
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser

_TEXTS: list[str] = json.loads(open(os.environ["LOAD_TEXTS"], encoding="utf-8").read())
_SCENARIO = os.environ.get("LOAD_SCENARIO", "triage")
_HEADERS = {"Authorization": f"Bearer {os.environ['LOAD_KEY']}",
            "Content-Type": "application/json"}
_SERIAL = itertools.count()


def _body(text: str, unique: bool) -> str:
    # A ticket stored twice is two cases; the serial keeps a soak's texts from repeating
    # exactly, as real tickets do not.
    if unique:
        text = f"{text} (ref {next(_SERIAL)})"
    return json.dumps({"text": text, "received_at": "2026-12-01"})


class Caller(FastHttpUser):
    wait_time = constant_throughput(float(os.environ.get("LOAD_RATE", "5")))

    @task(10 if _SCENARIO in ("triage", "soak") else 0)
    def triage(self) -> None:
        self.client.post("/v1/triage", data=_body(random.choice(_TEXTS), False),
                         headers=_HEADERS, name="POST /v1/triage")

    @task(10 if _SCENARIO == "tickets" else (2 if _SCENARIO == "soak" else 0))
    def ticket(self) -> None:
        self.client.post("/v1/tickets", data=_body(random.choice(_TEXTS), True),
                         headers=_HEADERS, name="POST /v1/tickets")

    @task(1 if _SCENARIO == "soak" else 0)
    def queue(self) -> None:
        self.client.get("/v1/drafts?status=pending_review&limit=20", headers=_HEADERS,
                        name="GET /v1/drafts")

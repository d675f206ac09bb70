"""Trends: streams load from JSON Lines and CFPB-shaped CSV with clear errors; triage is
cached by content hash; the analysis finds a planted spike and the planted emerging group
of a seeded stream, with hints naming the over-represented channel; the report is offline."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from assistant.errors import DatasetError
from assistant.evaluation.trends import evaluate_trends, generate_stream
from assistant.trends.analysis import analyse, benjamini_hochberg
from assistant.trends.cache import TriageCache, triage_stream
from assistant.trends.load import load_stream
from assistant.trends.report import render_trends


def test_streams_load_with_clear_errors(tmp_path) -> None:
    good = tmp_path / "t.jsonl"
    good.write_text('{"id": 1, "text": "card never came", "received_at": "2026-11-02", '
                    '"channel": "app"}\n', encoding="utf-8")
    assert load_stream(good)[0].attributes == {"channel": "app"}
    bad = tmp_path / "b.jsonl"
    bad.write_text('{"id": 1, "text": "x", "received_at": "someday"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1"):
        load_stream(bad)
    cfpb = tmp_path / "c.csv"
    cfpb.write_text('Complaint ID,Date received,Product,Issue,Company,Consumer complaint narrative\n'
                    '1,2019/9/8,Checking,Fraud,Acme,"Someone took $500 from my account."\n'
                    '2,2019/9/9,Checking,Fees,Acme,\n', encoding="utf-8")
    rows = load_stream(cfpb)
    assert len(rows) == 1 and rows[0].attributes["product"] == "Checking"
    with pytest.raises(DatasetError, match="no column"):
        load_stream(cfpb, {"text": "Narrative"})


def test_benjamini_hochberg() -> None:
    assert benjamini_hochberg([0.001, 0.02, 0.9], 0.05) == [True, True, False]
    assert benjamini_hochberg([0.04, 0.9], 0.01) == [False, False]


def test_the_analysis_finds_what_was_planted(triager, tmp_path) -> None:
    tickets, truth = generate_stream(seed=11, weeks=22, scale=0.5)
    cache = TriageCache(tmp_path / "cache.sqlite")
    triaged, fresh = triage_stream(tickets, triager, cache)
    assert fresh == len(tickets)
    again, fresh_again = triage_stream(tickets, triager, cache)
    assert fresh_again == 0 and again[5].intent == triaged[5].intent
    assert np.allclose(again[5].vector, triaged[5].vector, atol=1e-2)

    report = evaluate_trends(tickets, triaged, truth)
    assert report["group_found"], report
    assert report["group_days_to_detection"] <= 5 and report["group_purity"] >= 0.8
    assert report["spike_recall"] > 0 and report["false_alarms_per_100_series_weeks"] < 5

    # the stream cut at the group's second week: the group is recent, the hint is the phone
    end_day = truth["group"]["start"] + 12
    cut = [i for i, t in enumerate(tickets) if (t.received - tickets[0].received).days <= end_day]
    analysis = analyse([tickets[i] for i in cut], [triaged[i] for i in cut], "week")
    group = max(analysis["emerging_groups"], key=lambda g: g["size"])
    assert "refund" in " ".join(group["keywords"]).lower()
    assert any(h.get("value") == "phone" for h in group["hints"])
    html = render_trends(analysis)
    assert "<svg" in html and not re.search(r"(src|href)\s*=\s*[\"']?https?:", html)
    json.dumps(analysis)  # the JSON output is serialisable

"""`assistant eval trends`: a seeded, year-long ticket stream with planted events, and how
well the trend analysis finds them.

The stream (also written by `python evals/trends/generate.py`): BANKING77 training queries
of 14 intents, each at its own daily rate with weekly seasonality (busy Mondays, quiet
weekends), channel and app-version attributes; planted spikes of +60%, +100% and +200% over
5 days in chosen intents; and an emerging group: a new fake-refund-call scam script, 40
tickets over two weeks, worded unlike anything before, mostly by phone.

How detectable a planted spike is depends on its series' volume, not only on its size: 60%
more of a 3-a-day series over 5 days is about 9 extra tickets on 15, which no count test
tells from chance at 1 false alarm per 100 series-weeks. ``spike_recall_bound`` is the
recall of an oracle that knows each spike's days and its series' true rate and spends the
whole false-alarm budget on that one window; no detector can beat it. The evaluation runs
at the volume the analysis is sized for (``TICKETS_PER_YEAR``, the bench's 100,000).
"""

from __future__ import annotations

import csv
import random
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any, Callable

import numpy as np
from scipy.stats import poisson

from assistant.config import PROJECT_ROOT
from assistant.trends.analysis import detect_spikes, emerging_groups, series_of, daily_counts
from assistant.trends.load import StreamTicket

START = date(2025, 1, 6)  # a Monday
WEEKDAY = [1.25, 1.15, 1.1, 1.05, 1.0, 0.7, 0.6]
RATES = {  # tickets per day on an average weekday
    "card_arrival": 9, "card_payment_not_recognised": 6, "transfer_not_received_by_recipient": 6,
    "pending_card_payment": 5, "lost_or_stolen_card": 4, "exchange_rate": 4,
    "top_up_failed": 4, "cash_withdrawal_not_recognised": 3, "verify_my_identity": 3,
    "transaction_charged_twice": 3, "request_refund": 3, "change_pin": 2,
    "declined_card_payment": 3, "balance_not_updated_after_bank_transfer": 3,
}
MULTIPLIERS = (0.6, 1.0, 2.0)
GROUP_SIZE = 40
TICKETS_PER_YEAR = 100_000  # the evaluation's volume: what `assistant bench-trends` times


def scale_for(tickets_per_year: float) -> float:
    """The ``generate_stream`` scale that gives about ``tickets_per_year`` tickets in 52 weeks."""
    return tickets_per_year / (sum(RATES.values()) * float(np.mean(WEEKDAY)) * 364)

_SCAM_OPEN = [
    "A man phoned me saying he was from the Lumen refunds team",
    "I got a call from someone claiming to work in Lumen's reimbursement department",
    "Somebody rang this morning, said he was a Lumen refund officer",
    "A woman called me and introduced herself as Lumen compensation desk",
    "I had a phone call from a so-called Lumen refund agent",
]
_SCAM_MIDDLE = [
    "and told me I was owed a ${n} refund for overcharged subscription fees",
    "and said a ${n} refund was waiting because of a billing glitch",
    "who insisted I had ${n} of compensation to collect",
    "and claimed the bank owed me ${n} after an audit",
]
_SCAM_ASK = [
    "To release it he had me install an app called HelpBridge and read him the six-digit code.",
    "She asked me to download HelpBridge so she could 'process the refund' on my screen.",
    "He walked me through installing the HelpBridge remote app and asked for the code that came by text.",
    "They needed me to open HelpBridge and confirm a code to receive the refund.",
]
_SCAM_CLOSE = [
    "Afterwards ${m} was gone from my balance.", "Now ${m} has disappeared from my account.",
    "An hour later I saw a ${m} transfer I never approved.", "Is this really you? I'm scared.",
    "My balance dropped by ${m} right after.", "Please tell me if this refund is genuine.",
]


def _queries() -> dict[str, list[str]]:
    by: dict[str, list[str]] = defaultdict(list)
    path = PROJECT_ROOT / "evals" / "datasets" / "banking77" / "train.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["category"] in RATES:
                by[row["category"]].append(row["text"])
    return by


def generate_stream(seed: int = 2025, weeks: int = 52, scale: float = 1.0
                    ) -> tuple[list[StreamTicket], dict[str, Any]]:
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    texts = _queries()
    n_days = weeks * 7
    intents = sorted(RATES)
    # planted spikes: after 10 weeks of history, 12 of them, 5 days each, apart
    spikes = []
    slots = range(75, n_days - 20, 9)
    starts = sorted(rng.sample(slots, min(12, len(slots))))
    for k, start in enumerate(starts):
        series = intents[(k * 5) % len(intents)]
        # what the series would have had in those 5 days without the spike
        baseline = sum(RATES[series] * WEEKDAY[(START + timedelta(days=d)).weekday()] * scale
                       for d in range(start, start + 5))
        spikes.append({"series": series, "start": start, "end": start + 4,
                       "increase": MULTIPLIERS[k % 3], "baseline": round(baseline, 2)})
    group_start = min(n_days - 21, 300)
    tickets: list[StreamTicket] = []
    for d in range(n_days):
        day = START + timedelta(days=d)
        version = f"5.{(d // 28) % 12}"
        for intent in intents:
            rate = RATES[intent] * WEEKDAY[day.weekday()] * scale
            for s in spikes:
                if s["series"] == intent and s["start"] <= d <= s["end"]:
                    rate *= 1 + s["increase"]
            for _ in range(nrng.poisson(rate)):
                channel = rng.choices(["app", "email", "phone"], [0.6, 0.25, 0.15])[0]
                tickets.append(StreamTicket(
                    f"t{len(tickets):06d}", rng.choice(texts[intent]), day,
                    {"channel": channel, "app_version": version},
                    {"intent": intent}))
    group_days = sorted(rng.randrange(group_start, group_start + 14) for _ in range(GROUP_SIZE))
    for d in group_days:
        n, m = rng.randrange(180, 990), rng.randrange(300, 2400)
        text = " ".join([rng.choice(_SCAM_OPEN), rng.choice(_SCAM_MIDDLE).replace("{n}", str(n)) +
                         ".", rng.choice(_SCAM_ASK), rng.choice(_SCAM_CLOSE).replace("{m}", str(m))])
        channel = "phone" if rng.random() < 0.8 else "app"
        tickets.append(StreamTicket(f"g{len(tickets):06d}", text, START + timedelta(days=d),
                                    {"channel": channel, "app_version": f"5.{(d // 28) % 12}"},
                                    {"group": "fake_refund_call"}))
    tickets.sort(key=lambda t: (t.received, t.id))
    truth = {"spikes": spikes, "group": {"start": group_start, "size": GROUP_SIZE},
             "days": n_days, "start": START.isoformat()}
    return tickets, truth


def recall_bound(spikes: list[dict[str, Any]], false_alarms: float = 1.0) -> float:
    """The oracle's recall: each spike's own 5 days, its series' true rate, one test per
    series-week at the whole budget (``false_alarms`` per 100 series-weeks)."""
    alpha = false_alarms / 100
    found = []
    for s in spikes:
        threshold = poisson.isf(alpha, s["baseline"]) + 1  # least count with P(X >= k) <= alpha
        found.append(float(poisson.sf(threshold - 1, s["baseline"] * (1 + s["increase"]))))
    return float(np.mean(found)) if found else 1.0


def evaluate_trends(tickets: list[StreamTicket], triaged: list[Any], truth: dict[str, Any],
                    false_alarms: float = 1.0, progress: Callable[[int], None] = lambda _n: None
                    ) -> dict[str, Any]:
    started = time.perf_counter()
    day0 = date.fromisoformat(truth["start"])
    days = np.array([(t.received - day0).days for t in tickets])
    n_days = truth["days"]
    labels = [[s for s in names if s.startswith("intent:")] for names in series_of(triaged)]
    counts = daily_counts(days, labels, n_days)
    first = 7 * 8 + 4
    # The planted group lands in some intent series too; an alarm there whose excess is
    # mostly the group's tickets found a planted event, not a false one.
    group_counts = daily_counts(days, [names if t.truth.get("group") else []
                                       for t, names in zip(tickets, labels)], n_days)
    alarms: dict[str, list[int]] = defaultdict(list)
    group_alarms = 0
    for end in range(first, n_days):
        for name, observed, expected, _ in detect_spikes(counts, end, false_alarms):
            planted_group = group_counts.get(name)
            if planted_group is not None and \
                    planted_group[end - 4:end + 1].sum() >= 0.5 * (observed - expected):
                group_alarms += 1
                continue
            alarms[name].append(end)
        progress(1)
    # alarm days of a series, merged into events (consecutive days are one alarm)
    events = []
    for name, ends in alarms.items():
        run = [ends[0]]
        for e in ends[1:]:
            if e - run[-1] <= 1:
                run.append(e)
            else:
                events.append((name, run[0], run[-1]))
                run = [e]
        events.append((name, run[0], run[-1]))
    planted = truth["spikes"]
    recalled = []
    for s in planted:
        hit = any(n == f"intent:{s['series']}" and a <= s["end"] + 4 and b >= s["start"]
                  for n, a, b in events)
        recalled.append(hit)
    false_events = [e for e in events if not any(
        e[0] == f"intent:{s['series']}" and e[1] <= s["end"] + 4 and e[2] >= s["start"]
        for s in planted)]
    series_weeks = len(counts) * (n_days - first) / 7
    by_size = defaultdict(list)
    for s, hit in zip(planted, recalled):
        by_size[f"+{int(s['increase'] * 100)}%"].append(hit)

    # the planted group: detected on which day, how pure, how complete
    group = [i for i, t in enumerate(tickets) if t.truth.get("group")]
    g0 = truth["group"]["start"]
    vectors = np.stack([t.vector for t in triaged])
    detected_day, at_detection, final = None, None, None
    for end in range(g0, g0 + 14):
        seen = {i for i in group if days[i] <= end}
        best = None
        for members, _ in emerging_groups(vectors, days, end):
            inter = len(seen & set(members))
            purity, recall = inter / len(members), inter / max(len(seen), 1)
            if best is None or inter > best[2]:
                best = (purity, recall, inter, len(members))
        if best and best[0] >= 0.8 and best[1] >= 0.8:
            if detected_day is None:
                detected_day, at_detection = end, best
            final = best
        elif detected_day is not None and best:
            final = best
    first_ticket = min(days[i] for i in group)
    # groups where nothing new was planted: every 7th day, away from the planted group's weeks
    quiet = [end for end in range(first, n_days, 7)
             if end < g0 - 1 or end > g0 + 14 + 14]
    planted_ids = set(group)
    false_groups = sum(
        1 for end in quiet for members, _ in emerging_groups(vectors, days, end)
        if len(planted_ids & set(members)) < 0.5 * len(members))
    return {
        "tickets": len(tickets),
        "series_tested": len(counts),
        "spike_recall": round(float(np.mean(recalled)), 4),
        "spike_recall_by_size": {k: round(float(np.mean(v)), 4) for k, v in sorted(by_size.items())},
        "spike_recall_bound": round(recall_bound(planted, false_alarms), 4),
        "spikes_planted": len(planted),
        "false_alarms": len(false_events),
        "alarm_days_from_the_planted_group": group_alarms,
        "false_alarms_per_100_series_weeks": round(100 * len(false_events) / series_weeks, 3),
        "group_found": detected_day is not None,
        "group_days_to_detection": (int(detected_day - first_ticket)
                                    if detected_day is not None else None),
        "group_purity": round(at_detection[0], 3) if at_detection else None,
        "group_recall": round(at_detection[1], 3) if at_detection else None,
        "group_after_two_weeks": ({"purity": round(final[0], 3), "recall": round(final[1], 3)}
                                  if final else None),
        "false_groups": false_groups,
        "false_groups_per_week": round(false_groups / max(len(quiet), 1), 3),
        "method": "intent series only (reason series move with them); a planted spike counts "
                  "as found when an alarm of its series overlaps its 5 days (or the 4 days after, "
                  "while the window still covers it); an alarm whose excess is mostly the planted group's "
                  "tickets counts for the group; every other alarm event is a false alarm; a "
                  "false group is an emerging group found on a weekly check away from the "
                  "planted group's weeks, mostly of other tickets",
        "analysis_seconds": round(time.perf_counter() - started, 1),
    }

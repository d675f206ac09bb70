"""The analysis: volumes, spikes, emerging groups, root-cause hints, deflection candidates.

Spikes: for each intent and reason series, the last ``window`` days' count against the
series' own level over the previous ``history_weeks`` weeks times the weekday profile of all
tickets. The test is conditional (given the tickets of window and history together, the
window's share is binomial under no change), so the level's own estimation error is part of
the p-value. False alarms are held to a budget per series-week, whatever the number of
series: each series-day is tested at alpha = budget / 7, and an alarm event starts on at
most one alarm day, so under no change a series raises at most ``budget`` alarm events a
week on average. (A false-discovery-rate procedure bounds the share of false alarms among
the reported spikes instead, which on quiet weeks lets a false alarm through at its full
rate.)

Emerging groups: recent tickets whose embedding is unlike every past ticket (their nearest
past neighbour is further than almost any past ticket is from its own nearest), clustered
with HDBSCAN (scikit-learn), completed by the recent tickets nearer a group's centroid than
any past ticket is; each group is labelled with its c-TF-IDF keywords.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Sequence

import numpy as np
from scipy.stats import binom

from assistant.trends.cache import Triaged
from assistant.trends.load import ATTRIBUTES, StreamTicket


@dataclass
class Spike:
    series: str          # intent:<label> or reason:<code>
    start: str
    end: str
    count: int
    expected: float
    strength: float      # count / expected
    p_value: float
    ticket_ids: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    hints: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Group:
    label: str
    keywords: list[str]
    size: int
    first_seen: str
    last_seen: str
    growth: dict[str, int]
    low_confidence_share: float
    ticket_ids: list[str]
    examples: list[str] = field(default_factory=list)
    hints: list[dict[str, Any]] = field(default_factory=list)


# Volumes of triage results, and of the input's own attributes (those count every ticket,
# with text or without).
ATTRIBUTE_VOLUMES = ("product", "issue", "company")
VOLUME_KINDS = ("intent", "reason", "severity") + ATTRIBUTE_VOLUMES


def series_of(triaged: Sequence[Triaged]) -> list[list[str]]:
    """The intent and reason series each ticket counts in."""
    return [[f"intent:{t.intent}"] + [f"reason:{r}" for r in dict.fromkeys(t.reasons)]
            for t in triaged]


def daily_counts(days: np.ndarray, labels: list[list[str]], n_days: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(n_days, dtype=np.int32))
    for d, names in zip(days, labels):
        for name in names:
            out[name][d] += 1
    return dict(out)


def spike_tests(counts: dict[str, np.ndarray], end: int, window: int = 5,
                history_weeks: int = 8, min_observed: int = 5) -> list[tuple[str, int, float, float]]:
    """(series, observed, expected, p) for the window ending on day index ``end``.

    Expected = the series' own level over the previous ``history_weeks`` weeks times the
    weekday profile of all tickets together (one profile, estimated from every series, is
    far less noisy than a per-series weekday mean of a few tickets a day)."""
    start = end - window + 1
    first = start - 7 * history_weeks
    if first < 0:
        return []
    total = sum(c[first:start] for c in counts.values())
    weekday = np.array([total[k::7].mean() if len(total[k::7]) else 0.0 for k in range(7)])
    if weekday.sum() <= 0:
        return []
    # day index d has weekday class (d - first) % 7 in ``weekday``
    profile = weekday / weekday.mean()
    window_weight = sum(profile[(d - first) % 7] for d in range(start, end + 1))
    history_weight = sum(profile[(d - first) % 7] for d in range(first, start))
    share = window_weight / (window_weight + history_weight)
    out = []
    for name, c in counts.items():
        observed = int(c[start:end + 1].sum())
        if observed < min_observed:
            continue
        history = int(c[first:start].sum())
        # +0.5: a series that was silent still has a small rate, not zero
        expected = (history + 0.5) / history_weight * window_weight
        p = float(binom.sf(observed - 1, observed + history, share))
        out.append((name, observed, expected, p))
    return out


def alpha_per_day(false_alarms: float) -> float:
    """The per-series-day test level that keeps false alarms within ``false_alarms`` per
    100 series-weeks."""
    return false_alarms / 100 / 7


def detect_spikes(counts: dict[str, np.ndarray], end: int, false_alarms: float = 1.0,
                  min_strength: float = 1.3, window: int = 5) -> list[tuple[str, int, float, float]]:
    """Spikes in the window ending on ``end``, at most ``false_alarms`` false alarm events per
    100 series-weeks under no change."""
    alpha = alpha_per_day(false_alarms)
    return [t for t in spike_tests(counts, end, window)
            if t[3] <= alpha and t[1] >= min_strength * t[2]]


def novelty_threshold(past: np.ndarray, rng: np.random.Generator, quantile: float = 0.02) -> float:
    """How far a ticket's nearest neighbour usually is, among past tickets: below this
    quantile of nearest-neighbour similarity a ticket is unlike the past."""
    if len(past) < 50:
        return 0.5
    sample = past[rng.choice(len(past), size=min(1000, len(past)), replace=False)]
    sims = sample @ past.T
    sims[sims > 0.9999] = -1.0  # itself (and exact duplicates)
    return float(np.quantile(sims.max(axis=1), quantile))


def emerging_groups(vectors: np.ndarray, days: np.ndarray, end: int, recent_days: int = 14,
                    past_days: int = 90, min_size: int = 8, seed: int = 7) -> list[tuple[list[int], float]]:
    """Groups (member indices) of recent tickets unlike the past, and the threshold used."""
    from sklearn.cluster import HDBSCAN

    recent = np.flatnonzero((days > end - recent_days) & (days <= end))
    past = np.flatnonzero((days <= end - recent_days) & (days > end - recent_days - past_days))
    if len(recent) < min_size or len(past) < 50:
        return []
    rng = np.random.default_rng(seed)
    threshold = novelty_threshold(vectors[past], rng)
    nearest = np.zeros(len(recent))
    for s in range(0, len(recent), 2000):
        nearest[s:s + 2000] = (vectors[recent[s:s + 2000]] @ vectors[past].T).max(axis=1)
    novel = recent[nearest < threshold]
    if len(novel) < min_size:
        return []
    labels = HDBSCAN(min_cluster_size=min_size, min_samples=3, copy=True,
                     allow_single_cluster=True).fit_predict(vectors[novel])
    clusters = [novel[labels == k] for k in sorted(set(labels)) if k >= 0]
    groups = _complete(clusters, vectors, recent, past)
    return [(g, threshold) for g in groups]


def _complete(clusters: list[np.ndarray], vectors: np.ndarray, recent: np.ndarray,
              past: np.ndarray) -> list[list[int]]:
    """HDBSCAN's groups completed by what its density estimate leaves out.

    On a few dozen tickets HDBSCAN keeps the densest core of a new script and calls the
    rest of it noise (one variant of the wording per sub-cluster). A group's reach is how
    close the nearest past ticket comes to its centroid: any recent ticket closer than that
    joins the group it is nearest to (nothing before was like it), and two groups whose
    centroids are each within the other's reach are one."""
    if not clusters:
        return []
    groups = [set(c.tolist()) for c in clusters]
    while True:
        centroids = np.stack([vectors[list(g)].mean(axis=0) for g in groups])
        centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)
        reach = (vectors[past] @ centroids.T).max(axis=0)
        between = centroids @ centroids.T
        pair = next(((a, b) for a in range(len(groups)) for b in range(a + 1, len(groups))
                     if between[a, b] > max(reach[a], reach[b])), None)
        if pair is None:
            break
        groups[pair[0]] |= groups.pop(pair[1])
    sims = vectors[recent] @ centroids.T
    best = sims.argmax(axis=1)
    for i, k, sim in zip(recent.tolist(), best.tolist(), sims.max(axis=1).tolist()):
        if sim > reach[k] and not any(i in g for g in groups):
            groups[k].add(i)
    return [sorted(g) for g in groups]


def keywords(texts: Sequence[str], groups: Sequence[Sequence[int]], k: int = 6) -> list[list[str]]:
    """c-TF-IDF: each group's texts as one document, weighted against all the others."""
    from sklearn.feature_extraction.text import CountVectorizer

    if not groups:
        return []
    docs = [" ".join(texts[i] for i in g) for g in groups]
    rest = " ".join(texts[i] for i in range(len(texts)) if i % 7 == 0)  # background sample
    vec = CountVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1,
                          token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    tf = vec.fit_transform(docs + [rest]).toarray().astype(float)
    tf = tf / np.maximum(tf.sum(axis=1, keepdims=True), 1)
    idf = np.log(1 + tf.mean(axis=0).sum() / np.maximum(tf.mean(axis=0), 1e-12))
    score = tf * idf
    names = vec.get_feature_names_out()
    return [[names[j] for j in np.argsort(-score[i])[:k]] for i in range(len(groups))]


def hints(members: Sequence[int], baseline: Sequence[int], tickets: Sequence[StreamTicket],
          texts: Sequence[str], top: int = 6) -> list[dict[str, Any]]:
    """Attributes and terms over-represented in ``members`` against ``baseline``, with
    counts and lift: hypotheses to check."""
    from sklearn.feature_extraction.text import CountVectorizer

    out: list[dict[str, Any]] = []
    n_in, n_base = len(members), max(len(baseline), 1)
    for attr in ATTRIBUTES:
        inside = Counter(tickets[i].attributes.get(attr) for i in members)
        base = Counter(tickets[i].attributes.get(attr) for i in baseline)
        for value, count in inside.items():
            if value is None or count < 3:
                continue
            lift = (count / n_in) / ((base.get(value, 0) + 1) / (n_base + 1))
            if lift >= 2:
                out.append({"kind": "attribute", "name": attr, "value": value, "count": count,
                            "baseline_count": base.get(value, 0), "lift": round(lift, 1)})
    if members and baseline:
        vec = CountVectorizer(stop_words="english", ngram_range=(1, 2), binary=True,
                              token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b", min_df=2)
        sample = list(baseline)[:5000]
        try:
            x = vec.fit_transform([texts[i] for i in members] + [texts[i] for i in sample])
        except ValueError:  # no term seen twice
            x = None
        if x is not None:
            inside = np.asarray(x[:n_in].sum(axis=0)).ravel()
            base = np.asarray(x[n_in:].sum(axis=0)).ravel()
            lift = (inside / n_in) / ((base + 1) / (len(sample) + 1))
            names = vec.get_feature_names_out()
            for j in np.argsort(-lift)[:top * 3]:
                if inside[j] >= 3 and lift[j] >= 3:
                    out.append({"kind": "term", "value": names[j], "count": int(inside[j]),
                                "baseline_count": int(base[j]), "lift": round(float(lift[j]), 1)})
    attrs = sorted((h for h in out if h["kind"] == "attribute"), key=lambda h: -h["lift"])
    terms = sorted((h for h in out if h["kind"] == "term"), key=lambda h: -h["lift"])
    return attrs[:top] + terms[:top]


def analyse(tickets: Sequence[StreamTicket], triaged: Sequence[Triaged], by: str = "week",
            false_alarms: float = 1.0, examples: int = 5,
            textless: Sequence[StreamTicket] = ()) -> dict[str, Any]:
    """The whole analysis. ``textless`` tickets (no text to triage, such as CFPB complaints
    without a narrative) count only in the volumes by product, issue and company."""
    if not tickets:
        return {"tickets": 0}
    day0 = min(t.received for t in tickets)
    last = max(t.received for t in tickets)
    n_days = (last - day0).days + 1
    days = np.array([(t.received - day0).days for t in tickets])
    labels = series_of(triaged)
    texts = [t.redacted for t in triaged]
    vectors = np.stack([t.vector for t in triaged])
    end = n_days - 1

    # volumes per period
    def period(d: date) -> str:
        if by == "day":
            return d.isoformat()
        if by == "month":
            return d.strftime("%Y-%m")
        monday = d - timedelta(days=d.weekday())
        return monday.isoformat()

    counted = list(tickets) + list(textless)  # what the attribute volumes count
    periods = sorted({period(t.received) for t in counted})
    index = {p: i for i, p in enumerate(periods)}
    volume: dict[str, dict[str, list[int]]] = {kind: {} for kind in VOLUME_KINDS}
    escalated = [0] * len(periods)
    totals = [0] * len(periods)
    for t, r in zip(tickets, triaged):
        i = index[period(t.received)]
        totals[i] += 1
        escalated[i] += r.escalate
        keys = {"intent": [r.intent], "reason": list(dict.fromkeys(r.reasons)),
                "severity": [r.severity or "none"]}
        for kind, names in keys.items():
            for name in names:
                volume[kind].setdefault(name, [0] * len(periods))[i] += 1
    for t in counted:
        i = index[period(t.received)]
        for kind in ATTRIBUTE_VOLUMES:
            if kind in t.attributes:
                volume[kind].setdefault(t.attributes[kind], [0] * len(periods))[i] += 1
    top = {kind: dict(sorted(series.items(), key=lambda kv: -sum(kv[1]))[:12])
           for kind, series in volume.items()}

    # spikes in the latest days
    counts = daily_counts(days, labels, n_days)
    spikes: list[Spike] = []
    for name, observed, expected, p in detect_spikes(counts, end, false_alarms):
        start = end - 4
        members = [i for i in range(len(tickets)) if start <= days[i] <= end and name in labels[i]]
        baseline = [i for i in range(len(tickets)) if days[i] < start and name in labels[i]]
        spikes.append(Spike(name, (day0 + timedelta(days=start)).isoformat(),
                            last.isoformat(), observed, round(expected, 1),
                            round(observed / expected, 2), p,
                            [tickets[i].id for i in members],
                            [texts[i][:240] for i in members[:examples]],
                            hints(members, baseline or list(range(len(tickets))), tickets, texts)))
    spikes.sort(key=lambda s: s.p_value)

    # emerging groups
    found = emerging_groups(vectors, days, end)
    groups_ = [g for g, _ in found]
    words = keywords(texts, groups_)
    groups: list[Group] = []
    for members, kw in zip(groups_, words):
        member_days = days[members]
        baseline = [i for i in range(len(tickets)) if days[i] < member_days.min()][-5000:]
        conf = [triaged[i].confidence for i in members]
        groups.append(Group(
            label=", ".join(kw[:3]), keywords=kw, size=len(members),
            first_seen=(day0 + timedelta(days=int(member_days.min()))).isoformat(),
            last_seen=(day0 + timedelta(days=int(member_days.max()))).isoformat(),
            growth={"last_7_days": int((member_days > end - 7).sum()),
                    "previous_7_days": int(((member_days <= end - 7) & (member_days > end - 14)).sum())},
            low_confidence_share=round(float(np.mean([c < 0.5 for c in conf])), 2),
            ticket_ids=[tickets[i].id for i in members],
            examples=[texts[i][:240] for i in members[:examples]],
            hints=hints(members, baseline, tickets, texts)))

    # deflection candidates: frequent intents resolved without escalation
    per_intent: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in triaged:
        per_intent[r.intent][0] += 1
        per_intent[r.intent][1] += r.escalate
    n = len(tickets)
    deflect = [{"intent": k, "tickets": v[0], "share": round(v[0] / n, 4),
                "escalation_rate": round(v[1] / v[0], 3)}
               for k, v in per_intent.items() if v[0] >= max(5, 0.01 * n) and v[1] / v[0] <= 0.1]
    deflect.sort(key=lambda d: -d["tickets"])

    return {
        "tickets": n, "textless_tickets": len(textless),
        "from": min(t.received for t in counted).isoformat(),
        "until": max(t.received for t in counted).isoformat(), "by": by,
        "periods": periods, "totals": totals,
        "escalation_rate": [round(e / t, 4) if t else 0.0 for e, t in zip(escalated, totals)],
        "volumes": top,
        "spikes": [asdict(s) for s in spikes],
        "spike_method": f"the last 5 days against each series' level over the previous 8 "
                        f"weeks and the weekday profile of all tickets (a conditional binomial "
                        f"test, so the level's estimation error counts); each series-day at "
                        f"alpha {alpha_per_day(false_alarms):.5f}, which keeps false alarms "
                        f"within {false_alarms:g} per 100 series-weeks ({len(counts)} series "
                        f"here); strength at least 1.3",
        "emerging": [asdict(g) for g in groups],
        "deflection_candidates": deflect[:15],
        "low_confidence_share": round(float(np.mean([t.confidence < 0.5 for t in triaged])), 4),
    }

"""The trends report: one self-contained HTML file (inline SVG charts)."""

from __future__ import annotations

import io
from typing import Any

import jinja2

TEMPLATE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Trends {{ a.from }} to {{ a.until }}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem}
h2{border-bottom:1px solid #ddd;margin-top:2rem;font-size:1.1rem}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ddd;padding:.3rem .5rem;font-size:13px;text-align:left;vertical-align:top}
th{background:#f5f5f5}.muted{color:#666}svg{max-width:100%;height:auto}.hint{color:#555;font-size:12.5px}</style>
</head><body>
<h1>Trends and root causes</h1>
<p class="muted">{{ a.tickets }} tickets from {{ a.from }} to {{ a.until }}, by {{ a.by }}.
Hints below are hypotheses to check with the teams that own them, never conclusions.</p>
{% if a.clocks %}<p><b>Regulatory clocks of stored cases</b>: met {{ a.clocks.met }}, missed {{ a.clocks.missed }}, still running {{ a.clocks.running }}.</p>{% endif %}
{% if a.textless_tickets %}<p class="muted">{{ a.textless_tickets }} more tickets have no text (such as CFPB complaints without a narrative): they count in the volumes by product, issue and company only.</p>{% endif %}
<h2>Volumes</h2>
{% for chart in charts %}{{ chart|safe }}{% endfor %}
<h2>Spikes in the last 5 days ({{ a.spikes|length }})</h2>
<p class="muted">{{ a.spike_method }}</p>
<table><tr><th>series</th><th>days</th><th>count / expected</th><th>strength</th><th>p</th><th>over-represented (lift)</th><th>examples (redacted)</th></tr>
{% for s in a.spikes %}<tr><td>{{ s.series }}</td><td>{{ s.start }} to {{ s.end }}</td><td>{{ s.count }} / {{ s.expected }}</td>
<td>{{ s.strength }}x</td><td>{{ "%.1e"|format(s.p_value) }}</td>
<td class="hint">{% for h in s.hints %}{{ h.name ~ "=" if h.name }}{{ h.value }} ({{ h.count }}, {{ h.lift }}x){% if not loop.last %}; {% endif %}{% endfor %}</td>
<td>{% for e in s.examples[:3] %}<div>{{ e }}</div>{% endfor %}</td></tr>
{% else %}<tr><td colspan="7">No series is above its own history.</td></tr>{% endfor %}</table>
<h2>Emerging groups ({{ a.emerging|length }})</h2>
<p class="muted">Recent tickets unlike anything in the previous 90 days, grouped by HDBSCAN on their embeddings; labels are c-TF-IDF keywords.</p>
<table><tr><th>group</th><th>size</th><th>first seen</th><th>last 7 / previous 7 days</th><th>low-confidence share</th><th>over-represented (lift)</th><th>examples (redacted)</th></tr>
{% for g in a.emerging %}<tr><td><b>{{ g.label }}</b><br><span class="hint">{{ g.keywords|join(", ") }}</span></td><td>{{ g.size }}</td><td>{{ g.first_seen }}</td>
<td>{{ g.growth.last_7_days }} / {{ g.growth.previous_7_days }}</td><td>{{ g.low_confidence_share }}</td>
<td class="hint">{% for h in g.hints %}{{ h.name ~ "=" if h.name }}{{ h.value }} ({{ h.count }}, {{ h.lift }}x){% if not loop.last %}; {% endif %}{% endfor %}</td>
<td>{% for e in g.examples[:3] %}<div>{{ e }}</div>{% endfor %}</td></tr>
{% else %}<tr><td colspan="7">No new group.</td></tr>{% endfor %}</table>
<h2>Deflection candidates</h2>
<p class="muted">Frequent intents that rarely need a specialist: candidates for self-service content and frontline macros.</p>
<table><tr><th>intent</th><th>tickets</th><th>share</th><th>escalation rate</th></tr>
{% for d in a.deflection_candidates %}<tr><td>{{ d.intent }}</td><td>{{ d.tickets }}</td><td>{{ "%.1f%%"|format(d.share * 100) }}</td><td>{{ "%.1f%%"|format(d.escalation_rate * 100) }}</td></tr>{% endfor %}</table>
</body></html>"""


CHARTS = (("intent", "intent"), ("reason", "escalation reason"), ("severity", "severity"),
          ("product", "product"), ("issue", "issue"), ("company", "company"))


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _volume_chart(a: dict[str, Any], kind: str, title: str, rate: bool = False) -> str:
    """The top series of one kind per period; under the intents, the escalation rate."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = a["volumes"].get(kind) or {}
    if not series:
        return ""
    if rate:
        fig, (ax, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True,
                                         gridspec_kw={"height_ratios": [3, 1]})
    else:
        fig, ax = plt.subplots(figsize=(10, 4))
        bottom = ax
    x = range(len(a["periods"]))
    for name, values in list(series.items())[:8]:
        ax.plot(x, values, label=name[:40], linewidth=1.4)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    if rate:
        bottom.plot(x, a["escalation_rate"], color="#c62828")
        bottom.set_ylabel("escalation rate", fontsize=8)
    step = max(1, len(a["periods"]) // 12)
    bottom.set_xticks(list(x)[::step], a["periods"][::step], rotation=45, fontsize=7)
    return _svg(fig)


def render_trends(a: dict[str, Any]) -> str:
    charts = [chart for kind, what in CHARTS
              if (chart := _volume_chart(a, kind, f"tickets per {a['by']} by {what} (top 8)",
                                         rate=kind == "intent"))]
    return jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(a=a, charts=charts)

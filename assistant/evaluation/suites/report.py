"""The run's reports: one self-contained offline HTML file (inline SVG charts, no scripts
from anywhere) and a short Markdown summary for a chat message or a pull request. They show
only what the run kept, which is redacted."""

from __future__ import annotations

import io
from importlib import resources
from typing import Any

import jinja2


def _bar_svg(rows: dict[str, dict[str, Any]], title: str) -> str:
    if not rows:
        return ""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(rows)[:30]
    values = [rows[n]["pass_rate"] for n in names]
    fig, ax = plt.subplots(figsize=(7, 0.32 * len(names) + 0.9))
    colours = ["#2e7d32" if v >= 0.9 else "#f9a825" if v >= 0.6 else "#c62828" for v in values]
    ax.barh([f"{n} (n={rows[n]['n']})" for n in names], values, color=colours)
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)
    for i, v in enumerate(values):
        ax.text(min(v + 0.01, 0.93), i, f"{v:.0%}", va="center", fontsize=7)
    fig.tight_layout()
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    plt.close(fig)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def render_html(run: dict[str, Any], gate: dict[str, Any] | None = None) -> str:
    env = jinja2.Environment(autoescape=True)
    template = env.from_string(
        resources.files("assistant.evaluation.suites").joinpath("report.html.j2")
        .read_text(encoding="utf-8"))
    summary = run["summary"]
    return template.render(
        run=run, s=summary, gate=gate,
        check_chart=_bar_svg(summary["by_check"], "pass rate per check"),
        tag_chart=_bar_svg(summary["by_tag"], "pass rate per tag"),
        failing=[c for c in run["cases"] if not c["passed"]],
    )


def render_markdown(run: dict[str, Any], gate: dict[str, Any] | None, run_path: str) -> str:
    s = run["summary"]
    e = s["escalation"]
    lines = [f"**{run['suite']}**: {s['passed']}/{s['counted']} cases pass "
             f"({s['pass_rate']:.1%}) in {run['seconds']:.0f} s"]
    if e["recall"] is not None:
        lines.append(f"- escalation recall {e['recall']:.1%}, precision "
                     f"{(e['precision'] or 0):.1%} (missed: {', '.join(e['missed']) or 'none'})")
    if s.get("grading"):
        g = s["grading"]
        lines.append(f"- trainee grading agrees with the trainer on {g['agreement']:.0%} "
                     f"(kappa {g['cohen_kappa']})")
    if gate:
        for g in gate["gates"]:
            mark = {"pass": "✅", "fail": "❌"}.get(g["verdict"], "–")
            fig = "n/a" if g["figure"] is None else f"{g['figure']:.4f}"
            lines.append(f"- {mark} gate `{g['metric']}` = {fig}"
                         + (f" ({g['why']})" if g["why"] else ""))
        if gate["diff"]:
            d = gate["diff"]
            lines.append(f"- newly failing: {', '.join(x['id'] for x in d['newly_failing']) or 'none'}"
                         f"; newly passing: {', '.join(d['newly_passing']) or 'none'}")
            if d.get("regressed_checks"):
                lines.append("- checks that passed in the baseline and fail now: " + "; ".join(
                    f"{x['id']} ({', '.join(sorted({c['name'] for c in x['checks']}))})"
                    for x in d["regressed_checks"][:15]))
    if s["failed"]:
        lines.append(f"- failing: {', '.join(s['failed'][:20])}"
                     + (" ..." if len(s["failed"]) > 20 else ""))
    lines.append(f"- run JSON: `{run_path}`")
    return "\n".join(lines) + "\n"

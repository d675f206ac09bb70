"""The review UI: server-rendered pages (Jinja) and a little vanilla JavaScript, no CDN.

Log in with an API key, kept in an HttpOnly, SameSite=Strict session cookie; every form
carries the session's CSRF token. Pages: the queue, a draft (the ticket with each
reason's evidence marked, the clocks, the plan, the reply in an editor that is
grounding-checked as the specialist types, approve and reject), the case's audit trail,
knowledge-base search and review statistics.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from api.security import PERMISSIONS, SESSION_COOKIE, SESSION_SECONDS
from assistant.errors import AssistantError, AuthError, ForbiddenError
from assistant.store.keys import Principal

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(prefix="/ui", include_in_schema=False)


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")


def _principal(request: Request) -> Principal | None:
    state = request.app.state
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie or state.sessions is None or state.keys is None:
        return None
    key = state.sessions.key_of(cookie)
    try:
        return state.keys.verify(key)
    except AssistantError:
        return None


def _page(request: Request, name: str, principal: Principal | None, **context: Any) -> HTMLResponse:
    cookie = request.cookies.get(SESSION_COOKIE)
    csrf = request.app.state.sessions.csrf_of(cookie) if request.app.state.sessions else ""
    return templates.TemplateResponse(request, name, {
        "principal": principal, "csrf": csrf, "can": _can(principal), **context})


def _can(principal: Principal | None) -> dict[str, bool]:
    return {k: bool(principal and principal.role in roles) for k, roles in PERMISSIONS.items()}


def _need(request: Request, permission: str) -> Principal | Response:
    principal = _principal(request)
    if principal is None:
        return RedirectResponse(f"/ui/login?next={request.url.path}", status_code=303)
    if principal.role not in PERMISSIONS[permission]:
        return _page(request, "error.html", principal, status=403, message=(
            f"The {principal.role} role cannot open this page."), hint="Log in with another key.")
    return principal


def _refused(request: Request, who: Principal, exc: AssistantError, back: str) -> HTMLResponse:
    """The error page for an action the service refused, with a way back."""
    return _page(request, "error.html", who, status=exc.http_status, message=exc.message,
                 hint=exc.hint, back=back)


def _check_csrf(request: Request, token: str) -> None:
    if not request.app.state.sessions.csrf_ok(request.cookies.get(SESSION_COOKIE), token):
        raise ForbiddenError("the form's security token is missing or stale",
                             "reload the page and submit again")


def _workflow(request: Request) -> Any:
    workflow = request.app.state.workflow
    if workflow is None:
        raise AuthError("the case workflow is not loaded", "run `make run` and reload")
    return workflow


@router.get("")
async def home(request: Request) -> Response:
    return RedirectResponse("/ui/queue" if _principal(request) else "/ui/login", status_code=303)


@router.get("/login")
async def login_page(request: Request, next: str = "/ui/queue", error: str = "") -> Response:
    return _page(request, "login.html", None, next=next, error=error)


@router.post("/login")
async def login(request: Request, key: str = Form(...), next: str = Form("/ui/queue")) -> Response:
    state = request.app.state
    try:
        principal = await run_in_threadpool(state.keys.verify, key.strip())
    except AssistantError as exc:
        return _page(request, "login.html", None, next=next, error=exc.message)
    cookie, _csrf = state.sessions.issue(key.strip())
    target = next if next.startswith("/ui/") else "/ui/queue"
    if principal.role not in PERMISSIONS["review"] and target.startswith("/ui/queue"):
        target = "/ui/kb"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=SESSION_SECONDS, httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")
    return response


@router.get("/logout")
async def logout() -> Response:
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/queue")
async def queue(request: Request, reason: str = "", intent: str = "",
                status: str = "pending_review") -> Response:
    who = _need(request, "review")
    if isinstance(who, Response):
        return who
    items = await run_in_threadpool(_workflow(request).queue, status, reason or None,
                                    intent or None)
    return _page(request, "queue.html", who, items=items, reason=reason, intent=intent,
                 status=status)


@router.get("/drafts/{draft_id}")
async def draft_page(request: Request, draft_id: str, revealed: str = "") -> Response:
    who = _need(request, "review")
    if isinstance(who, Response):
        return who
    view = await run_in_threadpool(_workflow(request).draft_view, draft_id, who)
    pii: dict[str, str] = {}
    if revealed:
        pii = await run_in_threadpool(_workflow(request).reveal, view["ticket_id"], who)
    today = dt.date.today()
    clocks = []
    for c in view["triage"].get("clocks", []):
        left = (dt.date.fromisoformat(c["deadline"]) - today).days if c.get("deadline") else None
        clocks.append({**c, "days_left": left, "overdue": left is not None and left < 0})
    return _page(request, "draft.html", who, view=view, clocks=clocks, pii=pii,
                 ticket_html=highlight(view["ticket"]["redacted_text"],
                                       view["triage"].get("reasons", []), pii),
                 reply_html=mark_findings(view["reply"], view["grounding"].get("unsupported", [])))


@router.post("/drafts/{draft_id}/approve")
async def approve(request: Request, draft_id: str, version: int = Form(...), text: str = Form(""),
                  override_reason: str = Form(""), csrf: str = Form("")) -> Response:
    who = _need(request, "review")
    if isinstance(who, Response):
        return who
    _check_csrf(request, csrf)
    try:
        await run_in_threadpool(_workflow(request).approve, draft_id, version, who, text or None,
                                override_reason or None)
    except AssistantError as exc:
        return _refused(request, who, exc, f"/ui/drafts/{draft_id}")
    return RedirectResponse("/ui/queue?done=approved", status_code=303)


@router.post("/drafts/{draft_id}/reject")
async def reject(request: Request, draft_id: str, version: int = Form(...),
                 reason: str = Form(""), csrf: str = Form("")) -> Response:
    who = _need(request, "review")
    if isinstance(who, Response):
        return who
    _check_csrf(request, csrf)
    try:
        await run_in_threadpool(_workflow(request).reject, draft_id, version, who, reason)
    except AssistantError as exc:
        return _refused(request, who, exc, f"/ui/drafts/{draft_id}")
    return RedirectResponse("/ui/queue?done=rejected", status_code=303)


@router.get("/cases/{case_id}/audit")
async def audit_page(request: Request, case_id: str) -> Response:
    who = _need(request, "read_cases")
    if isinstance(who, Response):
        return who
    events = await run_in_threadpool(_workflow(request).audit_trail, case_id)
    return _page(request, "audit.html", who, case_id=case_id, events=events)


@router.get("/kb")
async def kb_page(request: Request, q: str = "") -> Response:
    who = _need(request, "kb_search")
    if isinstance(who, Response):
        return who
    hits = []
    if q.strip() and request.app.state.retriever is not None:
        hits = [h.to_dict() for h in await run_in_threadpool(
            request.app.state.retriever.search, q, 8)]
    return _page(request, "kb.html", who, q=q, hits=hits)


@router.get("/stats")
async def stats_page(request: Request, since: str = "", until: str = "") -> Response:
    who = _need(request, "stats")
    if isinstance(who, Response):
        return who
    parse = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
    stats = await run_in_threadpool(_workflow(request).review_stats, parse(since), parse(until))
    return _page(request, "stats.html", who, stats=stats, since=since, until=until)


@router.get("/evals")
async def evals_page(request: Request) -> Response:
    who = _need(request, "evals")
    if isinstance(who, Response):
        return who
    runs = request.app.state.eval_runs
    if runs is None:
        return _page(request, "error.html", who, status=503, message="the evaluation runner is "
                     "not ready", hint="run `make run`", back="/ui")
    suites = await run_in_threadpool(runs.suites)
    recent = await run_in_threadpool(runs.recent)
    return _page(request, "evals.html", who, suites=suites, runs=recent)


@router.post("/evals")
async def start_eval(request: Request, suite: str = Form(...), baseline: str = Form(""),
                     csrf: str = Form("")) -> Response:
    who = _need(request, "evals")
    if isinstance(who, Response):
        return who
    _check_csrf(request, csrf)
    runs = request.app.state.eval_runs
    try:
        chosen = await run_in_threadpool(runs.resolve, suite, None)
        await run_in_threadpool(runs.start, chosen, who.user_id, baseline or None)
    except AssistantError as exc:
        return _refused(request, who, exc, "/ui/evals")
    return RedirectResponse("/ui/evals", status_code=303)


@router.get("/evals/{run_id}")
async def eval_report(request: Request, run_id: str) -> Response:
    who = _need(request, "evals")
    if isinstance(who, Response):
        return who
    try:
        path = await run_in_threadpool(request.app.state.eval_runs.report_path, run_id)
    except AssistantError as exc:
        return _refused(request, who, exc, "/ui/evals")
    if not path.is_file():
        return RedirectResponse("/ui/evals", status_code=303)
    return HTMLResponse(path.read_text(encoding="utf-8"))


@router.get("/trends")
async def trends_page(request: Request, since: str = "", until: str = "",
                      by: str = "week") -> Response:
    who = _need(request, "trends")
    if isinstance(who, Response):
        return who
    from assistant.trends.report import render_trends
    from assistant.trends.service import stored_trends

    try:
        parse = lambda v: dt.date.fromisoformat(v) if v else None  # noqa: E731
        result = await run_in_threadpool(
            stored_trends, _workflow(request),
            request.app.state.settings.data_dir / "trends-cache.sqlite", parse(since),
            parse(until), by if by in ("day", "week", "month") else "week")
    except (AssistantError, ValueError) as exc:
        return _page(request, "error.html", who, status=422, message=str(exc),
                     hint="dates are YYYY-MM-DD", back="/ui/trends")
    if not result.get("tickets"):
        return _page(request, "error.html", who, status=200, message="no stored case yet",
                     hint="cases appear here once tickets come in (`assistant demo load`)",
                     back="/ui")
    return HTMLResponse(render_trends(result))


# ---------------------------------------------------------------- rendering helpers
def highlight(text: str, reasons: list[dict[str, Any]], pii: dict[str, str]) -> Markup:
    """The redacted ticket with each reason's evidence marked (and, once revealed, the
    PII values in place of their placeholders)."""
    spans: list[tuple[int, int, str]] = []
    for r in reasons:
        evidence = (r.get("evidence") or "").strip()
        if len(evidence) < 4:
            continue
        at = text.find(evidence)
        if at >= 0:
            spans.append((at, at + len(evidence), r.get("code", "")))
    spans.sort()
    out, cursor = [], 0
    for start, end, code in spans:
        if start < cursor:
            continue
        out.append(html.escape(text[cursor:start]))
        out.append(f'<mark class="evidence" title="{html.escape(code)}">'
                   f"{html.escape(text[start:end])}</mark>")
        cursor = end
    out.append(html.escape(text[cursor:]))
    rendered = "".join(out)
    for placeholder, value in pii.items():
        rendered = rendered.replace(html.escape(placeholder),
                                    f'<span class="pii" title="{html.escape(placeholder)}">'
                                    f"{html.escape(value)}</span>")
    return Markup(rendered)


def mark_findings(reply: str, findings: list[dict[str, Any]]) -> Markup:
    out, cursor = [], 0
    for f in sorted(findings, key=lambda f: f["start"]):
        if f["start"] < cursor:
            continue
        out.append(html.escape(reply[cursor:f["start"]]))
        out.append(f'<mark class="finding" title="{html.escape(f["kind"] + ": " + f["why"])}">'
                   f'{html.escape(reply[f["start"]:f["end"]])}</mark>')
        cursor = f["end"]
    out.append(html.escape(reply[cursor:]))
    return Markup(re.sub(r"\n", "<br>", "".join(out)))

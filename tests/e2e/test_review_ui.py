"""The review UI in a real browser (Debian's chromium driven by Playwright) against the real
app on loopback: log in with a key, open the queue, open the draft, type an invented phone
number and see the live grounding check flag it, remove it, approve, see the draft leave the
queue and the approval in the audit trail. Screenshots are kept in the test's folder."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def live_app(drafter, settings, tmp_path):  # type: ignore[no-untyped-def]
    import uvicorn

    from api.app import create_app
    from api.security import RateLimiter
    from api.sessions import Sessions
    from assistant.store.crypto import Vault
    from assistant.store.db import upgrade
    from assistant.store.keys import KeyVerifier, create_user
    from assistant.workflow.cases import Workflow
    from assistant.workflow.resolutions import ResolutionIndexer

    url = f"sqlite:///{tmp_path / 'ui.db'}"
    upgrade(url)
    vault = Vault("e2e-secret")
    workflow = Workflow(url, vault, drafter,
                        ResolutionIndexer(drafter.chunks.store, drafter.chunks.encoder))
    app = create_app(settings.model_copy(update={"database_url": url}), load_models=False)
    app.state.workflow, app.state.drafter = workflow, drafter
    app.state.triager, app.state.retriever = drafter.triager, drafter.chunks
    app.state.vault, app.state.keys = vault, KeyVerifier(url)
    app.state.limiter = RateLimiter("10000/minute")
    app.state.sessions = Sessions(vault.session_key)
    keys = {"specialist": create_user(url, "dana", "specialist")[1],
            "agent": create_user(url, "andy", "agent")[1]}
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", keys
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test "
                    "installs it)")
def test_a_specialist_reviews_a_draft_in_the_browser(live_app, tmp_path: Path) -> None:
    import httpx
    from playwright.sync_api import expect, sync_playwright

    base, keys = live_app
    intake = httpx.post(f"{base}/v1/tickets", headers={"Authorization": f"Bearer {keys['agent']}"},
                        json={"text": "Someone used my debit card at VOLTEX ELECTRONICS online on "
                              "November 20 for $84.99. I never bought anything there.",
                              "received_at": "2026-11-25"}, timeout=60)
    assert intake.status_code == 201, intake.text
    draft_id = intake.json()["draft_id"]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/ui/login")
        page.fill("#key", keys["specialist"])
        page.keyboard.press("Enter")
        page.wait_for_url("**/ui/queue**")
        row = page.locator(f'#queue tr[data-href="/ui/drafts/{draft_id}"]')
        expect(row).to_have_count(1)
        page.screenshot(path=str(shots / "1-queue.png"), full_page=True)

        page.keyboard.press("j")  # select the first row, open it with Enter
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/ui/drafts/{draft_id}")
        editor = page.locator("#reply")
        original = editor.input_value()
        editor.fill(original + "\nOr call our fraud line on (415) 555-0143.")
        findings = page.locator("#findings")
        expect(findings).to_have_attribute("data-verdict", "fail", timeout=15_000)
        expect(findings).to_contain_text("phone")
        expect(page.locator("#preview mark.finding")).to_contain_text("555-0143")
        page.screenshot(path=str(shots / "2-invented-phone-flagged.png"), full_page=True)

        editor.fill(original)
        expect(findings).to_have_attribute("data-verdict", "pass", timeout=15_000)
        page.click("#approve")
        page.wait_for_url("**/ui/queue**")
        expect(page.locator(f'tr[data-href="/ui/drafts/{draft_id}"]')).to_have_count(0)
        page.screenshot(path=str(shots / "3-queue-after-approval.png"), full_page=True)

        audit = httpx.get(f"{base}/v1/drafts/{draft_id}",
                          headers={"Authorization": f"Bearer {keys['specialist']}"}, timeout=30)
        case_id = audit.json()["case_id"]
        page.goto(f"{base}/ui/cases/{case_id}/audit")
        expect(page.locator("body")).to_contain_text("approved")
        page.screenshot(path=str(shots / "4-audit.png"), full_page=True)
        browser.close()
    assert len(list(shots.glob("*.png"))) == 4

"""The service as separate processes over real HTTP: two workers sharing PostgreSQL and a
`chroma run` server, a server SIGKILLed in the middle of a burst of approvals, and a
database that goes away and comes back. Slow (each starts servers that load models)."""

from __future__ import annotations

import concurrent.futures as futures
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assistant.config import PROJECT_ROOT, Settings
from assistant.evaluation.load import ServerProcess, free_port

pytestmark = pytest.mark.slow

TICKETS = [json.loads(line) for line in (PROJECT_ROOT / "evals" / "drafting" / "tickets.jsonl")
           .read_text(encoding="utf-8").splitlines() if line.strip()]


# ------------------------------------------------------------------ helpers
def call(base: str, method: str, path: str, key: str, body: object | None = None,
         headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"{base}{path}", data=data, method=method,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json",
                 **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "assistant", *args], env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"assistant {' '.join(args)}: {done.stderr[-3000:]}"
    return done


def specialist_key(env: dict[str, str], name: str) -> str:
    return json.loads(cli(env, "users", "create", name, "--role", "specialist",
                          "--json").stdout)["key"]


def base_env(settings: Settings, **extra: str) -> dict[str, str]:
    # The session's tiny trained models (the `triager` fixture trained them), the shipped
    # kb (the playbooks cite its chunks), one thread per process.
    return {
        **os.environ,
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_INTENT_TRAIN_CSV": str(settings.intent_train_csv),
        "ASSISTANT_INTENT_TEST_CSV": str(settings.intent_test_csv),
        "ASSISTANT_THREADS": "1",
        "ASSISTANT_LOG_LEVEL": "warning",
        "ASSISTANT_RATE_LIMIT": "100000/minute",
        **extra,
    }


@pytest.fixture(scope="module")
def embedded_index(settings: Settings, triager) -> dict[str, str]:
    """The shipped kb in the data dir's embedded index, in a collection of its own."""
    env = base_env(settings, ASSISTANT_KB_COLLECTION="processes")
    cli(env, "kb", "ingest", "--no-progress")
    return env


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    proc = subprocess.Popen([str(chroma), "run", "--path", str(path), "--port", str(port),
                             "--host", "127.0.0.1"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def pg_database(postgres_url: str):
    """A database of its own on the session's PostgreSQL server (servers in other processes
    hold connections to it, so it is dropped with FORCE at the end)."""
    import psycopg

    name = f"ea_proc_{secrets.token_hex(4)}"
    admin = psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres",
                            autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# ------------------------------------------------------------------ two workers
def test_two_workers_share_postgres_and_a_chroma_server(
    settings: Settings, triager, chroma_server: str, pg_database: str
) -> None:
    env = base_env(
        settings,
        ASSISTANT_DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}",
        ASSISTANT_CHROMA_URL=chroma_server,
        ASSISTANT_KB_COLLECTION=f"two-workers-{secrets.token_hex(3)}",
        ASSISTANT_SECRET_KEY="two-workers-shared-secret-" + secrets.token_hex(8),
    )
    cli(env, "kb", "ingest", "--no-progress")
    cli(env, "db", "upgrade")
    dana, lee = specialist_key(env, "dana"), specialist_key(env, "lee")
    with ServerProcess(env) as a, ServerProcess(env) as b:
        status, intake = call(a.url, "POST", "/v1/tickets", dana,
                              {"text": TICKETS[0]["text"], "received_at": TICKETS[0]["received_at"]})
        assert status == 201, intake
        draft_id = intake["draft_id"]
        # Stored through A, queued and readable through B.
        status, queue = call(b.url, "GET", "/v1/drafts?status=pending_review", lee)
        assert status == 200 and draft_id in [d["draft_id"] for d in queue["drafts"]]
        status, draft = call(b.url, "GET", f"/v1/drafts/{draft_id}", lee)
        assert status == 200
        version = draft["version"]
        # Two specialists approve at once, one through each worker: one wins.
        barrier = threading.Barrier(2)

        def approve(base: str, key: str) -> int:
            barrier.wait()
            return call(base, "POST", f"/v1/drafts/{draft_id}/approve", key,
                        {"version": version})[0]

        with futures.ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(approve, (a.url, b.url), (dana, lee)))
        assert codes == [200, 409]
        # The approval is seen through both workers...
        for base, key in ((a.url, dana), (b.url, lee)):
            status, seen = call(base, "GET", f"/v1/drafts/{draft_id}", key)
            assert status == 200 and seen["status"] == "approved"
        # ...and its reply, indexed into the shared Chroma server as a past resolution,
        # is found through the other worker's retriever (it reloads on the index revision).
        status, ticket = call(a.url, "GET", f"/v1/tickets/{intake['ticket_id']}", dana)
        resolution = f"resolution/approved-{draft_id.lower()}#case"
        deadline = time.monotonic() + 30
        found: list[str] = []
        while time.monotonic() < deadline and resolution not in found:
            status, hits = call(a.url, "POST", "/v1/kb/search", dana,
                                {"query": TICKETS[0]["text"][:300], "k": 10,
                                 "types": ["resolution"]})
            assert status == 200, hits
            found = [h["chunk_id"] for h in hits["results"]]
            time.sleep(1)
        assert resolution in found, found
    cli(env, "audit", "verify")


# ------------------------------------------------------------------ SIGKILL
def test_sigkill_during_approvals_loses_no_answered_approval(
    embedded_index: dict[str, str], tmp_path: Path
) -> None:
    env = {**embedded_index, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'kill.db'}"}
    cli(env, "db", "upgrade")
    key = specialist_key(env, "kim")
    server = ServerProcess(env).start()
    try:
        drafts = []
        for t in TICKETS[:24]:
            status, intake = call(server.url, "POST", "/v1/tickets", key,
                                  {"text": t["text"], "received_at": t["received_at"]})
            assert status == 201, intake
            drafts.append(intake["draft_id"])
        versions = {d: call(server.url, "GET", f"/v1/drafts/{d}", key)[1] for d in drafts}
        answered: list[str] = []
        lock = threading.Lock()

        def approve(n: int, draft_id: str) -> None:
            view = versions[draft_id]
            body: dict[str, object] = {"version": view["version"]}
            if n % 2:  # every other approval is an edit: a new draft version is written
                body["text"] = view["reply"].replace("Kind regards", "With best wishes", 1)
                body["override_reason"] = "load test edit"
            try:
                status, _ = call(server.url, "POST", f"/v1/drafts/{draft_id}/approve", key,
                                 body, timeout=30)
            except OSError:
                return  # the server died under this request
            if status == 200:
                with lock:
                    answered.append(draft_id)

        pool = futures.ThreadPoolExecutor(6)
        jobs = [pool.submit(approve, n, d) for n, d in enumerate(drafts)]
        deadline = time.monotonic() + 60
        while len(answered) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill()  # SIGKILL the process group mid-burst
        pool.shutdown(wait=True)
        assert 6 <= len(answered) < len(drafts), "the kill should land mid-burst"
    finally:
        server.stop()
    # Every answered approval is in the database, no version is half-written, and the
    # audit chain is intact.
    from sqlalchemy import select

    from assistant.store.db import session
    from assistant.store.models import Draft, DraftVersion

    with session(env["ASSISTANT_DATABASE_URL"]) as s:
        rows = {d.id: d for d in s.scalars(select(Draft).where(Draft.id.in_(drafts)))}
        for draft_id in answered:
            assert rows[draft_id].status == "approved"
        for d in rows.values():
            numbers = sorted(v.number for v in s.scalars(
                select(DraftVersion).where(DraftVersion.draft_id == d.id)))
            assert numbers == list(range(1, d.current_version + 1)), (d.id, numbers)
            for v in s.scalars(select(DraftVersion).where(DraftVersion.draft_id == d.id)):
                assert v.reply and v.grounding is not None
            if d.status == "pending_review":
                assert d.decided_at is None
    cli(env, "audit", "verify")
    # Restarted, the service indexes any approval the kill caught before its indexing,
    # and the approvals that were not answered can be made again.
    with ServerProcess(env) as again:
        for draft_id in drafts:
            if rows[draft_id].status == "pending_review":
                status, view = call(again.url, "GET", f"/v1/drafts/{draft_id}", key)
                assert call(again.url, "POST", f"/v1/drafts/{draft_id}/approve", key,
                            {"version": view["version"]})[0] == 200
    with session(env["ASSISTANT_DATABASE_URL"]) as s:
        left = s.scalars(select(Draft).where(Draft.id.in_(drafts),
                                             Draft.resolution_chunk_id.is_(None))).all()
        assert not left, [d.id for d in left]


# ------------------------------------------------------------------ database away
class Proxy:
    """A TCP relay to PostgreSQL that can be cut (the database 'goes away') and restored."""

    def __init__(self, port: int, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.port, self.target = port, target
        self._listener: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        if self._listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not
            try:
                self._listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._listener.close()
            self._listener = None
        with self._lock:
            for c in self._conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                    c.close()
                except OSError:
                    pass
            self._conns.clear()


def test_the_database_going_away_gives_503_and_loses_nothing(
    embedded_index: dict[str, str], pg_database: str
) -> None:
    proxy = Proxy(free_port())
    proxy.start()
    env = {**embedded_index,
           "ASSISTANT_DATABASE_URL":
               f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/{pg_database}"}
    cli(env, "db", "upgrade")
    key = specialist_key(env, "ari")
    ticket = {"text": TICKETS[1]["text"], "received_at": TICKETS[1]["received_at"]}
    try:
        with ServerProcess(env) as server:
            status, first = call(server.url, "POST", "/v1/tickets", key, ticket)
            assert status == 201
            proxy.cut()
            status, err = call(server.url, "POST", "/v1/tickets", key, ticket,
                               headers={"Idempotency-Key": "retry-me"})
            # The key is checked in the database first: 503 either way, one error shape.
            assert status == 503, err
            assert "database" in err["error"]["message"] and err["error"]["hint"]
            status, ready = call(server.url, "GET", "/readyz", key)
            assert status == 503 and "database" in json.dumps(ready)
            proxy.start()  # back
            status, again = call(server.url, "POST", "/v1/tickets", key, ticket,
                                 headers={"Idempotency-Key": "retry-me"})
            assert status == 201 and again["created"] is True
            status, retry = call(server.url, "POST", "/v1/tickets", key, ticket,
                                 headers={"Idempotency-Key": "retry-me"})
            assert retry["case_id"] == again["case_id"] and retry["created"] is False
            status, stored = call(server.url, "GET", f"/v1/tickets/{first['ticket_id']}", key)
            assert status == 200
            assert call(server.url, "GET", "/readyz", key)[0] == 200
            cli(env, "audit", "verify")
    finally:
        proxy.cut()


# ------------------------------------------------------------------ schemathesis
def test_schemathesis_finds_no_server_error(embedded_index: dict[str, str], tmp_path: Path) -> None:
    """Generated requests from the OpenAPI schema (bounded: a fixed seed and a few examples
    per operation) never get a 5xx, with an admin key that may call every route. Ingest
    and suite runs are left out: each is minutes of work per call, tested on their own."""
    env = {**embedded_index, "ASSISTANT_DATABASE_URL": f"sqlite:///{tmp_path / 'st.db'}"}
    cli(env, "db", "upgrade")
    key = json.loads(cli(env, "users", "create", "st-admin", "--role", "admin",
                         "--json").stdout)["key"]
    with ServerProcess(env) as server:
        # A stored case, so the generated ids have real neighbours.
        call(server.url, "POST", "/v1/tickets", key,
             {"text": TICKETS[2]["text"], "received_at": TICKETS[2]["received_at"]})
        done = subprocess.run(
            [str(Path(sys.executable).with_name("schemathesis")), "run",
             f"{server.url}/openapi.json", "--checks", "not_a_server_error",
             "--max-examples", "12", "--seed", "20261203", "--workers", "2",
             "--header", f"Authorization: Bearer {key}", "--request-timeout", "60",
             "--exclude-path", "/v1/kb/ingest", "--exclude-path-regex", "^/v1/evals/runs",
             "--phases", "examples,fuzzing", "--no-color"],
            capture_output=True,
            text=True, timeout=900, cwd=tmp_path,
        )
        assert done.returncode == 0, (done.stdout[-6000:] + done.stderr[-2000:]
                                      + server.output()[-3000:])


def test_bench_trends_runs_cold_then_one_new_week(settings: Settings, triager) -> None:
    """The trends bench runs the real CLI twice: the re-run triages only the new week."""
    from assistant.evaluation.trends_bench import run_trends_bench

    report = run_trends_bench(2500, seed=5, env=base_env(settings))
    cold, rerun = report["cold"], report["rerun_one_new_week"]
    assert cold["triaged_now"] == cold["tickets"] >= 2000
    assert rerun["tickets"] == cold["tickets"] + report["new_tickets"]
    assert rerun["triaged_now"] == report["new_tickets"] > 0
    assert cold["peak_rss_mb"] > 100 and cold["seconds"] > 0
    assert set(report["met"]) == {"cold", "rerun", "memory"}

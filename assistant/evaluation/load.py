"""Load and soak figures of the running service, measured with locust over loopback.

``assistant load-test`` starts ``assistant serve`` as a separate process on a scratch
database (the trained models and the index of the data dir, so nothing of the team's own
cases is touched), creates a key, and drives it with locust's headless runner, one
scenario after the other:

- ``triage``: ``POST /v1/triage`` (agents: fast, stores nothing);
- ``tickets``: ``POST /v1/tickets`` (store, triage, composer draft, audit events);
- ``soak``: both plus the review queue for minutes, sampling the server's resident memory
  (all its processes) to report its growth after the warm-up.

Throughput is what the server sustained at a target rate (locust's constant throughput per
simulated user), not its saturation point; latencies are locust's percentiles of every
request, and any non-2xx answer or connection error counts as an error.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from assistant.errors import AssistantError

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


class LoadTestError(AssistantError):
    code = "load_test_failed"
    exit_code = 1


@dataclass(frozen=True)
class Scenario:
    name: str
    users: int
    rate_per_user: float  # requests/s each simulated user aims for
    seconds: int


@dataclass
class ServerProcess:
    """``assistant serve`` in its own process group, on a free loopback port."""

    env: dict[str, str]
    workers: int = 1
    port: int = 0
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    _log: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 180.0) -> "ServerProcess":
        self.port = self.port or free_port()
        self.log_path = Path(tempfile.mkstemp(prefix="assistant-serve-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_ready(self.url, timeout, self.proc, self.log_path)
        return self

    def pids(self) -> list[int]:
        import psutil

        if self.proc is None:
            return []
        try:
            root = psutil.Process(self.proc.pid)
            return [root.pid] + [c.pid for c in root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def rss_bytes(self) -> int:
        import psutil

        total = 0
        for pid in self.pids():
            try:
                total += psutil.Process(pid).memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown handler runs."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._log is not None:
            self._log.close()  # type: ignore[attr-defined]
            self._log = None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass
class ChromaServer:
    """`chroma run` serving a copy of an embedded index directory."""

    source: Path
    path: Path
    port: int = 0
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> "ChromaServer":
        if not (self.source / "chroma.sqlite3").is_file():
            raise LoadTestError(f"no index in {self.source}", "run `assistant kb ingest` first")
        shutil.copytree(self.source, self.path)
        self.port = self.port or free_port()
        chroma = Path(sys.executable).with_name("chroma")
        self.proc = subprocess.Popen(
            [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
             "--port", str(self.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        raise LoadTestError("`chroma run` did not start", f"try `{chroma} run --path {self.path}`")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _data_dir(env: dict[str, str]) -> Path:
    from assistant.config import load_settings

    return load_settings(**({"data_dir": Path(env["ASSISTANT_DATA_DIR"])}
                            if env.get("ASSISTANT_DATA_DIR") else {})).data_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float, proc: subprocess.Popen | None = None,
               log_path: Path | None = None) -> None:
    """Until ``/readyz`` answers 200 (models loaded, database reachable, index present)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:] if log_path else ""
            raise LoadTestError(f"the server exited with code {proc.returncode} before it "
                                f"was ready:\n{tail}", "run `assistant serve` to see why")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=5) as r:
                if r.status == 200:
                    return
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.5)
    raise LoadTestError(f"the server at {url} was not ready in {timeout:.0f} s ({last})",
                        "check `assistant serve` starts, and that the index exists "
                        "(`assistant kb ingest`)")


def prepare_database(url: str, role: str = "specialist") -> str:
    """Migrate the scratch database and return a new key with ``role``."""
    from assistant.store.db import upgrade
    from assistant.store.keys import create_user

    upgrade(url)
    _, key = create_user(url, f"load-{role}-{int(time.time() * 1000)}", role)
    return key


def run_locust(url: str, key: str, scenario: Scenario, texts_path: Path,
               workdir: Path) -> dict[str, dict[str, float]]:
    """One headless locust run; per-request-name figures from its CSV statistics."""
    prefix = workdir / scenario.name
    env = {**os.environ, "LOAD_SCENARIO": scenario.name, "LOAD_KEY": key,
           "LOAD_RATE": str(scenario.rate_per_user), "LOAD_TEXTS": str(texts_path)}
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
           "--host", url, "-u", str(scenario.users), "-r", str(scenario.users),
           "-t", f"{scenario.seconds}s", "--csv", str(prefix), "--only-summary",
           "--stop-timeout", "10", "--exit-code-on-error", "0", "--loglevel", "WARNING"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True,
                          timeout=scenario.seconds + 120)
    stats = prefix.with_name(prefix.name + "_stats.csv")
    if done.returncode != 0 or not stats.exists():
        raise LoadTestError(f"locust failed (exit {done.returncode}): {done.stderr[-2000:]}",
                            "install the load extra: pip install -e '.[load]'")
    out: dict[str, dict[str, float]] = {}
    with stats.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]),
                "max_ms": float(row["Max Response Time"]),
            }
    failures = prefix.with_name(prefix.name + "_failures.csv")
    if failures.exists():
        with failures.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        if rows:
            out.setdefault("Aggregated", {})["failure_kinds"] = [  # type: ignore[assignment]
                f"{r['Name']}: {r['Error'][:200]} x{r['Occurrences']}" for r in rows[:10]]
    return out


def load_texts(paths: Iterable[Path]) -> list[str]:
    """Ticket texts: the drafting set's multi-sentence tickets and the team's escalation set."""
    texts: list[str] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    if not texts:
        raise LoadTestError("no ticket texts to send", "check evals/drafting/tickets.jsonl")
    return texts


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version()}


def run_load_test(
    env: dict[str, str],
    texts: list[str],
    scenarios: list[Scenario],
    workers: int = 1,
    url: str | None = None,
    key: str | None = None,
    sample_every: float = 5.0,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, object]:
    """Run ``scenarios`` against a server (started here unless ``url`` is given)."""
    report: dict[str, object] = {"machine": machine(), "workers": workers, "scenarios": {}}
    with tempfile.TemporaryDirectory(prefix="assistant-load-") as tmp, \
            contextlib.ExitStack() as stack:
        work = Path(tmp)
        texts_path = work / "texts.json"
        texts_path.write_text(json.dumps(texts), encoding="utf-8")
        server: ServerProcess | None = None
        if url is None:
            env = dict(env)
            env.setdefault("ASSISTANT_DATABASE_URL", f"sqlite:///{work / 'load.db'}")
            env.setdefault("ASSISTANT_RATE_LIMIT", "1000000/minute")
            env.setdefault("ASSISTANT_LOG_LEVEL", "warning")
            key = key or prepare_database(env["ASSISTANT_DATABASE_URL"])
            if workers > 1 and not env.get("ASSISTANT_CHROMA_URL"):
                # Workers share an index server: `chroma run` on a copy of the data
                # dir's embedded index (the same files), so the team's index is untouched.
                chroma = ChromaServer(_data_dir(env) / "chroma", work / "chroma").start()
                stack.callback(chroma.stop)
                env["ASSISTANT_CHROMA_URL"] = chroma.url
            progress(f"starting the server ({workers} worker(s)) on "
                     f"{env['ASSISTANT_DATABASE_URL'].split('://')[0]} ...")
            server = ServerProcess(env, workers=workers).start()
            url = server.url
        elif key is None:
            raise LoadTestError("--url needs --key", "pass a specialist's API key")
        try:
            _warm(url, key, workers)
            for sc in scenarios:
                progress(f"{sc.name}: {sc.users} users x {sc.rate_per_user:g}/s for "
                         f"{sc.seconds} s ...")
                samples: list[tuple[float, int]] = []
                stop = threading.Event()
                sampler = None
                if server is not None:
                    sampler = threading.Thread(target=_sample, daemon=True,
                                               args=(server, samples, stop, sample_every))
                    sampler.start()
                figures: dict[str, object] = {
                    "target_rps": sc.users * sc.rate_per_user, "seconds": sc.seconds,
                    "requests": run_locust(url, key, sc, texts_path, work)}  # type: ignore[arg-type]
                stop.set()
                if sampler is not None:
                    sampler.join()
                    figures["memory"] = memory_growth(samples)
                report["scenarios"][sc.name] = figures  # type: ignore[index]
        finally:
            if server is not None:
                server.stop()
    return report


def _warm(url: str, key: str, workers: int = 1) -> None:
    """Each request a few times first, so lazily built objects do not count as latency.
    With several workers the warm-ups go concurrently: a worker accepts a connection only
    while the others are busy, so one at a time would warm only one of them."""
    from concurrent.futures import ThreadPoolExecutor

    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    body = json.dumps({"text": "Someone took $40 from my account at an ATM I never used."}).encode()

    def call(path: str) -> None:
        req = urllib.request.Request(f"{url}{path}", data=body, headers=headers)
        try:
            urllib.request.urlopen(req, timeout=60).read()
        except urllib.error.HTTPError as exc:
            raise LoadTestError(f"the warm-up {path} answered {exc.code}: "
                                f"{exc.read()[:300].decode(errors='replace')}",
                                "check the key's role (specialist) and the server's log") from None

    parallel = 1 if workers == 1 else 4 * workers
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        for path in ("/v1/triage", "/v1/tickets"):
            list(pool.map(call, [path] * parallel * (1 if workers == 1 else 2)))


def _sample(server: ServerProcess, out: list[tuple[float, int]], stop: threading.Event,
            every: float) -> None:
    start = time.monotonic()
    while not stop.is_set():
        out.append((time.monotonic() - start, server.rss_bytes()))
        stop.wait(every)


def memory_growth(samples: list[tuple[float, int]], warmup_share: float = 0.2) -> dict[str, float]:
    """Resident memory after the warm-up (the first ``warmup_share`` of the run: caches
    fill, the allocator grows its arenas) against the last samples, as a fraction."""
    if len(samples) < 3:
        return {"start_mb": 0.0, "end_mb": 0.0, "growth": 0.0, "samples": len(samples)}
    end_t = samples[-1][0]
    after = [rss for t, rss in samples if t >= warmup_share * end_t] or [samples[-1][1]]
    head = after[: max(1, len(after) // 10)]
    tail = after[-max(1, len(after) // 10):]
    start_mb = sorted(head)[len(head) // 2] / 2**20
    end_mb = sorted(tail)[len(tail) // 2] / 2**20
    return {"start_mb": round(start_mb, 1), "end_mb": round(end_mb, 1),
            "peak_mb": round(max(r for _, r in samples) / 2**20, 1),
            "growth": round(end_mb / start_mb - 1, 4) if start_mb else 0.0,
            "samples": len(samples)}

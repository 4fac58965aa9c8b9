"""Benchmark: `GET /api/v1/me` with a bearer token against `atiende web` (gunicorn).

Fixed setup, fixed load, one JSON document on stdout (progress goes to stderr):

1. a fresh temporary DATA_DIR with SQLite (or the database in DATABASE_URL, which must
   be empty), `atiende migrate`, `atiende demo`, `atiende token create` for Ana;
2. SQL queries of one /me request, counted in a separate process with Django's test
   client (the first request of a token and the steady state);
3. `atiende web` on a free loopback port, warm-up, then the measured load from a
   separate load-generator process: a fixed number of requests over a fixed number of
   keep-alive connections (one thread and one http.client connection each);
4. resident memory of the gunicorn processes after the load; everything stopped.

    python bench/run.py [--requests 4000] [--concurrency 8] [--web-concurrency 2]
    python bench/run.py load PORT TOKEN REQUESTS CONCURRENCY DEADLINE   (internal)
    python bench/run.py queries TOKEN                                  (internal)
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USER_EMAIL = "ana.gomez@nubeandina.example"
PATH = "/api/v1/me"
STEP_TIMEOUT = 180  # seconds for any one setup step
LOAD_DEADLINE = 300  # seconds the measured load may take at most


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- the load generator (runs in its own process) ---------------------------------------


def load(port: int, token: str, requests: int, concurrency: int, deadline: float) -> dict:
    """Send `requests` GETs over `concurrency` keep-alive connections; stop at `deadline`
    seconds whatever is left. Latency is measured per request, from send to full body."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    reconnects = 0
    stop_at = time.monotonic() + deadline

    def take() -> bool:
        nonlocal issued
        with lock:
            if issued >= requests or time.monotonic() > stop_at:
                return False
            issued += 1
            return True

    def client() -> None:
        nonlocal reconnects
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        own: list[float] = []
        while take():
            started = time.perf_counter()
            try:
                connection.request("GET", PATH, headers=headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                status = "error"
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                    reconnects += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            elapsed = time.perf_counter() - started
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
            if status == "200":
                own.append(elapsed)
        connection.close()
        with lock:
            latencies.extend(own)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=deadline + 30)
    wall = time.perf_counter() - started
    latencies.sort()

    def percentile(fraction: float) -> float | None:
        if not latencies:
            return None
        index = min(len(latencies) - 1, max(0, round(fraction * len(latencies)) - 1))
        return round(latencies[index] * 1000, 2)

    completed = sum(statuses.values())
    return {
        "requests": completed,
        "ok": statuses.get("200", 0),
        "errors": completed - statuses.get("200", 0),
        "statuses": statuses,
        "error_samples": errors[:5],
        "reconnects": reconnects,
        "seconds": round(wall, 3),
        "requests_per_second": round(completed / wall, 1) if wall else None,
        "latency_ms": {
            "p50": percentile(0.50), "p95": percentile(0.95), "p99": percentile(0.99),
            "max": round(latencies[-1] * 1000, 2) if latencies else None,
            "mean": round(sum(latencies) / len(latencies) * 1000, 2) if latencies else None,
        },
    }


# --- SQL queries per request (runs in its own process, with Django set up) -------------


def count_queries(token: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {token}"})
    counts = []
    statements = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(PATH)
        if response.status_code != 200:
            raise SystemExit(f"GET {PATH} answered {response.status_code}: {response.content!r}")
        counts.append(len(captured.captured_queries))
        statements = [query["sql"][:160] for query in captured.captured_queries]
    if connection.vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    return {
        "first_request": counts[0],
        "steady": counts[-1],
        "steady_statements": statements,
        "database": {"vendor": connection.vendor, "version": version},
    }


# --- orchestration ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def atiende(environment: dict, *arguments: str) -> str:
    log("atiende " + " ".join(arguments))
    finished = subprocess.run(
        [sys.executable, "-m", "atiende.cli", *arguments], env=environment, cwd=ROOT,
        capture_output=True, text=True, timeout=STEP_TIMEOUT,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"atiende {' '.join(arguments)} failed ({finished.returncode}):\n"
                           f"{finished.stdout}\n{finished.stderr}")
    return finished.stdout


def helper(environment: dict, *arguments: str, timeout: float) -> dict:
    """Run this file in a child process in one of its internal modes; its JSON answer."""
    finished = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *arguments], env=environment,
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{arguments[0]} failed ({finished.returncode}):\n{finished.stderr}")
    return json.loads(finished.stdout)


def wait_until_up(port: int, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"atiende web ended with {server.returncode} before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/health/")
            if connection.getresponse().status == 200:
                connection.close()
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"atiende web did not answer /health/ within {timeout} s")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            # The command name is in parentheses and may hold spaces; the parent follows.
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def stop(server: subprocess.Popen) -> None:
    """SIGTERM to the gunicorn master (graceful), then kill its whole process group."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log("gunicorn did not stop within 15 s; killing it")
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def bench(options: argparse.Namespace) -> dict:
    import django

    data_dir = Path(tempfile.mkdtemp(prefix="atiende-bench-"))
    environment = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "atiende.settings",
        "DEBUG": "0",
        "ACCESS_LOG": "0",
        "LOG_LEVEL": "WARNING",
        "HOST": "127.0.0.1",
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": str(options.web_concurrency),
        "WEB_THREADS": str(options.web_threads),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    environment.pop("SECRET_KEY", None)
    server: subprocess.Popen | None = None
    try:
        atiende(environment, "migrate", "--verbosity", "0")
        atiende(environment, "demo")
        token = atiende(environment, "token", "create", "--user", USER_EMAIL,
                        "--name", "bench").strip().splitlines()[-1]
        log("counting SQL queries per request")
        queries = helper(environment, "queries", token, timeout=STEP_TIMEOUT)

        port = int(environment["PORT"])
        log(f"starting atiende web on 127.0.0.1:{port}")
        server = subprocess.Popen(
            [sys.executable, "-m", "atiende.cli", "web"], env=environment, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=sys.stderr, process_group=0,
        )
        wait_until_up(port, server, timeout=STEP_TIMEOUT)
        log(f"warm-up: {options.warmup} requests")
        warmup = helper(environment, "load", str(port), token, str(options.warmup),
                        str(options.concurrency), "60", timeout=120)
        if warmup["errors"]:
            raise RuntimeError(f"warm-up had errors: {warmup}")
        load_before = os.getloadavg()
        log(f"load: {options.requests} requests over {options.concurrency} connections")
        result = helper(environment, "load", str(port), token, str(options.requests),
                        str(options.concurrency), str(LOAD_DEADLINE),
                        timeout=LOAD_DEADLINE + 60)
        workers = children_of(server.pid)
        worker_rss = {pid: rss_kib(pid) for pid in workers}
        master_rss = rss_kib(server.pid)
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(data_dir, ignore_errors=True)
    if not worker_rss:
        raise RuntimeError("found no gunicorn worker process")
    one_worker = max(worker_rss.values())
    return {
        "benchmark": f"GET {PATH} (bearer token)",
        "requests": result["requests"],
        "concurrency": options.concurrency,
        "requests_per_second": result["requests_per_second"],
        "latency_ms": result["latency_ms"],
        "errors": result["errors"],
        "statuses": result["statuses"],
        "error_samples": result["error_samples"],
        "seconds": result["seconds"],
        "sql_queries_per_request": {
            "steady": queries["steady"],
            "first_request_of_token": queries["first_request"],
            "steady_statements": queries["steady_statements"],
        },
        "memory": {
            "rss_mib_one_worker": round(one_worker / 1024, 1),
            "rss_mib_each_worker": [round(value / 1024, 1) for value in worker_rss.values()],
            "rss_mib_master": round(master_rss / 1024, 1),
        },
        "server": {
            "gunicorn_workers": options.web_concurrency,
            "threads_per_worker": options.web_threads,
            "worker_class": "gthread",
        },
        "warmup_requests": warmup["requests"],
        "database": queries["database"],
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "load_average_before": [round(value, 2) for value in load_before],
    }


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "load":
        port, token, requests, concurrency, deadline = sys.argv[2:7]
        print(json.dumps(load(int(port), token, int(requests), int(concurrency),
                              float(deadline))))
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "queries":
        print(json.dumps(count_queries(sys.argv[2])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--web-concurrency", type=int, default=2,
                        help="gunicorn worker processes (WEB_CONCURRENCY)")
    parser.add_argument("--web-threads", type=int, default=4,
                        help="threads per gunicorn worker (WEB_THREADS)")
    options = parser.parse_args()
    if not (1 <= options.requests <= 100_000 and 1 <= options.concurrency <= 64):
        parser.error("requests must be 1..100000 and concurrency 1..64")

    # SIGTERM (and Ctrl-C) unwind through `finally`, which stops the server.
    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    print(json.dumps(bench(options), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

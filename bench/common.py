"""What the benchmarks share: the load generator, `atiende` steps, the web server.

    python bench/common.py load PORT SPEC REQUESTS CONCURRENCY DEADLINE   (internal)

SPEC is a JSON object: `method`, `paths` (taken in turn), `headers`, optional `body`
(in which `{n}` becomes the request's sequence number) and `ok` (the expected status).
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
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEP_TIMEOUT = 180  # seconds for any one setup step
LOAD_DEADLINE = 300  # seconds one measured load may take at most


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- the load generator (runs in its own process) ---------------------------------------


def percentiles(latencies: list[float]) -> dict:
    """p50/p95/p99/max/mean in milliseconds of sorted `latencies` (seconds)."""
    def percentile(fraction: float) -> float | None:
        if not latencies:
            return None
        index = min(len(latencies) - 1, max(0, round(fraction * len(latencies)) - 1))
        return round(latencies[index] * 1000, 2)

    return {
        "p50": percentile(0.50), "p95": percentile(0.95), "p99": percentile(0.99),
        "max": round(latencies[-1] * 1000, 2) if latencies else None,
        "mean": round(sum(latencies) / len(latencies) * 1000, 2) if latencies else None,
    }


def load(port: int, spec: dict, requests: int, concurrency: int, deadline: float) -> dict:
    """Send `requests` requests described by `spec` over `concurrency` keep-alive
    connections; stop at `deadline` seconds whatever is left. Latency is measured per
    request, from send to full body."""
    method = spec.get("method", "GET")
    paths = spec["paths"]
    headers = spec.get("headers", {})
    body = spec.get("body")
    expected = str(spec.get("ok", 200))
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    sizes: list[int] = []
    statuses: dict[str, int] = {}
    errors: list[str] = []
    reconnects = 0
    stop_at = time.monotonic() + deadline

    def take() -> int | None:
        nonlocal issued
        with lock:
            if issued >= requests or time.monotonic() > stop_at:
                return None
            issued += 1
            return issued

    def client() -> None:
        nonlocal reconnects
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        own: list[float] = []
        while (number := take()) is not None:
            path = paths[number % len(paths)]
            payload = None if body is None else body.replace("{n}", str(number)).encode()
            started = time.perf_counter()
            try:
                connection.request(method, path, body=payload, headers=headers)
                response = connection.getresponse()
                content = response.read()
                status = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                status, content = "error", b""
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                    reconnects += 1
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == expected:
                    sizes.append(len(content))
                elif status != "error" and len(errors) < 20:
                    errors.append(f"{status}: {content[:200]!r}")
            if status == expected:
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
    completed = sum(statuses.values())
    ok = statuses.get(expected, 0)
    return {
        "requests": completed,
        "ok": ok,
        "errors": completed - ok,
        "statuses": statuses,
        "error_samples": errors[:5],
        "reconnects": reconnects,
        "seconds": round(wall, 3),
        "requests_per_second": round(completed / wall, 1) if wall else None,
        "ok_per_second": round(ok / wall, 1) if wall else None,
        "response_bytes_mean": round(sum(sizes) / len(sizes)) if sizes else None,
        "latency_ms": percentiles(latencies),
    }


# --- orchestration ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def atiende(environment: dict, *arguments: str, timeout: float = STEP_TIMEOUT) -> str:
    log("atiende " + " ".join(arguments))
    finished = subprocess.run(
        [sys.executable, "-m", "atiende.cli", *arguments], env=environment, cwd=ROOT,
        capture_output=True, text=True, timeout=timeout,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"atiende {' '.join(arguments)} failed ({finished.returncode}):\n"
                           f"{finished.stdout}\n{finished.stderr}")
    return finished.stdout


def helper(script: str | Path, environment: dict, *arguments: str, timeout: float) -> dict:
    """Run `script` in a child process in one of its internal modes; its JSON answer."""
    finished = subprocess.run(
        [sys.executable, str(script), *arguments], env=environment,
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{arguments[0]} failed ({finished.returncode}):\n{finished.stderr}")
    return json.loads(finished.stdout)


def run_load(environment: dict, port: int, spec: dict, requests: int, concurrency: int,
             deadline: float = LOAD_DEADLINE) -> dict:
    """The load generator in its own process (so it does not share the GIL with us)."""
    return helper(Path(__file__).resolve(), environment, "load", str(port), json.dumps(spec),
                  str(requests), str(concurrency), str(deadline), timeout=deadline + 60)


def token_create(environment: dict, email: str) -> str:
    return atiende(environment, "token", "create", "--user", email,
                   "--name", "bench").strip().splitlines()[-1]


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


@contextlib.contextmanager
def data_dir_environment(web_concurrency: int, web_threads: int) -> Iterator[dict]:
    """The environment of every step: a fresh temporary DATA_DIR (removed afterwards),
    DEBUG and the access log off, a free loopback port, gunicorn's workers and threads."""
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
        "WEB_CONCURRENCY": str(web_concurrency),
        "WEB_THREADS": str(web_threads),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    environment.pop("SECRET_KEY", None)
    try:
        yield environment
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


@contextlib.contextmanager
def web_server(environment: dict) -> Iterator[subprocess.Popen]:
    """`atiende web` on environment's PORT, up and answering /health/; stopped after."""
    port = int(environment["PORT"])
    log(f"starting atiende web on 127.0.0.1:{port}")
    server = subprocess.Popen(
        [sys.executable, "-m", "atiende.cli", "web"], env=environment, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=sys.stderr, process_group=0,
    )
    try:
        wait_until_up(port, server, timeout=STEP_TIMEOUT)
        yield server
    finally:
        stop(server)


def database_info() -> dict:
    """Vendor and version of Django's default database (Django must be set up)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        version = sqlite3.sqlite_version
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": version}


def setup_django(*, render_pages: bool = False) -> None:
    """Django set up in this step's process. `render_pages`: pages are rendered in-process,
    without `collectstatic`'s manifest."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atiende.settings")
    import django

    django.setup()
    if render_pages:
        from django.conf import settings

        settings.STORAGES = {**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def timed(count: int, call: Callable[[int], object]) -> dict:
    """`call(number)` for number 0..count-1, one after another: rate and latencies."""
    latencies = []
    started = time.perf_counter()
    for number in range(count):
        begun = time.perf_counter()
        call(number)
        latencies.append(time.perf_counter() - begun)
    seconds = time.perf_counter() - started
    return {"requests": count, "seconds": round(seconds, 2),
            "requests_per_second": round(count / seconds, 1),
            "latency_ms": percentiles(sorted(latencies))}


def measured_in_process(script: Path, description: str, *arguments: str,
                        timeout: float) -> dict:
    """A fresh migrated DATA_DIR, the benchmark's `measure` step run there in its own
    process (its figures carry `database`), and the figures as a benchmark's JSON."""
    with data_dir_environment(1, 1) as environment:
        atiende(environment, "migrate", "--verbosity", "0")
        result = helper(script, environment, "measure", *arguments, timeout=timeout)
    return {
        "benchmark": description,
        "measures": result,
        "database": result.pop("database"),
        **machine_facts(),
    }


def check_range(parser: argparse.ArgumentParser, what: str, value: int, low: int,
                high: int) -> None:
    if not low <= value <= high:
        parser.error(f"{what} must be {low}..{high}")


def on_sigterm_unwind() -> None:
    """SIGTERM (like Ctrl-C) unwinds through `finally`, which stops the server."""
    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)


def machine_facts() -> dict:
    """What a benchmark's figures depend on besides the code (for its JSON)."""
    import django

    return {"python": platform.python_version(), "django": django.get_version(),
            "cpus": os.cpu_count(),
            "load_average_before": [round(value, 2) for value in os.getloadavg()]}


def command_line(name: str, doc: str, bench: Callable, add_arguments: Callable,
                 check_arguments: Callable, steps: dict[str, Callable]) -> int:
    """The command line of one benchmark: `<step> ARGS...` runs one of its `steps` in
    this process (as `helper` calls them, with their text arguments) and prints its
    JSON; otherwise the options are parsed and `{name: bench(options)}` printed."""
    if len(sys.argv) > 1 and sys.argv[1] in steps:
        print(json.dumps(steps[sys.argv[1]](*sys.argv[2:])))
        return 0
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    add_arguments(parser)
    options = parser.parse_args()
    check_arguments(parser, options)
    on_sigterm_unwind()
    print(json.dumps({name: bench(options)}, indent=2))
    return 0


def main() -> int:
    if len(sys.argv) == 7 and sys.argv[1] == "load":
        port, spec, requests, concurrency, deadline = sys.argv[2:7]
        print(json.dumps(load(int(port), json.loads(spec), int(requests), int(concurrency),
                              float(deadline))))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())

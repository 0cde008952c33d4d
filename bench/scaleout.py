"""Scale-out figures, in one run on loopback: the embedded server against `serve --broker` plus workers.

    python bench/scaleout.py [--submissions 24] [--submitters 4] [--out bench/scaleout.json]

For each setup (embedded with 1 and 2 slots; the broker with 1 and 2 workers of one lane
each) it starts a fresh board (SQLite; redis-server on a free port for the broker setups),
has ``--submitters`` members send ``--submissions`` accepted solutions between them, each
member keeping at most two pending (the server's own --max-pending is 3), and reports:

* throughput: submissions graded per minute, from the first submit to the last result;
* latency from submit to start (the row's ``started_at - created_at``, read from the database): p50 and p99.

Prints a table and writes the figures as JSON. Needs redis-server on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CODE = (ROOT / "reference" / "softmax_cross_entropy.py").read_text()
CHALLENGE = "softmax-cross-entropy"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(cmd: list[str], log: Path, cwd: Path) -> subprocess.Popen:
    with log.open("a") as out:
        return subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env=ENV)


def wait_until(check: Any, what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.3)


def board(work: Path, *, slots: int, workers: int) -> tuple[str, list[subprocess.Popen]]:
    """Start one board; its URL and every process to stop afterwards."""
    db, port, procs = str(work / "board.db"), free_port(), []
    extra: list[str] = []
    if workers:
        redis_port = free_port()
        procs.append(spawn(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                            "--appendonly", "no"], work / "redis.log", work))
        extra = ["--broker", f"redis://127.0.0.1:{redis_port}/0"]
    procs.append(spawn([sys.executable, "-m", "cli", "serve", "--db", db, "--port", str(port), "--sandbox", "process",
                        "--workers", str(slots), "--rate-limit", "0", *extra], work / "server.log", work))
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{url}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(up, "the server")
    for i in range(workers):
        log = work / f"worker-{i}.log"
        procs.append(spawn([sys.executable, "-m", "cli", "worker", *extra, "--db", db, "--sandbox", "process"],
                           log, work))
        wait_until(lambda log=log: "ready." in log.read_text(), f"worker {i}")
    return url, procs


def add_user(work: Path, name: str) -> str:
    out = subprocess.run([sys.executable, "-m", "cli", "admin", "add-user", name, "--db", str(work / "board.db")],
                         cwd=work, env=ENV, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def measure(url: str, db: Path, tokens: list[str], total: int) -> dict[str, Any]:
    ids: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()

    def member(token: str, share: int) -> None:
        pending: list[int] = []
        for _ in range(share):
            while len(pending) >= 2:
                pending = [i for i in pending if httpx.get(f"{url}/api/submissions/{i}", timeout=60).json()["status"]
                           not in ("done", "error")]
                time.sleep(0.2)
            r = httpx.post(f"{url}/api/submissions", headers={"Authorization": f"Bearer {token}"}, timeout=60,
                           json={"challenge": CHALLENGE, "code": CODE})
            if r.status_code != 201:
                errors.append(f"POST /api/submissions: {r.status_code} {r.text[:200]}")
                return
            pending.append(r.json()["id"])
            with lock:
                ids.append(r.json()["id"])

    shares = [total // len(tokens) + (i < total % len(tokens)) for i in range(len(tokens))]
    threads = [threading.Thread(target=member, args=(t, s)) for t, s in zip(tokens, shares)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("; ".join(errors))
    rows: list[dict[str, Any]] = []

    def finished() -> bool:
        rows[:] = [httpx.get(f"{url}/api/submissions/{i}", timeout=60).json() for i in ids]
        return all(r["status"] in ("done", "error") for r in rows)

    wait_until(finished, "the results", 3600)
    elapsed = time.monotonic() - started
    with sqlite3.connect(db) as conn:  # the API rounds times to the second; the rows keep microseconds
        stamps = conn.execute(f"SELECT created_at, started_at FROM submissions WHERE id IN "
                              f"({','.join(str(i) for i in ids)})").fetchall()
    waits = sorted((datetime.fromisoformat(started) - datetime.fromisoformat(created)).total_seconds()
                   for created, started in stamps)
    return {"graded": len(rows), "accepted": sum(r["verdict"] == "AC" for r in rows),
            "per_minute": round(60 * len(rows) / elapsed, 1), "start_p50_s": round(statistics.median(waits), 2),
            "start_p99_s": round(waits[min(len(waits) - 1, int(0.99 * len(waits)))], 2)}


def run_setup(*, slots: int, workers: int, submissions: int, submitters: int) -> dict[str, Any]:
    """One fresh board (``workers`` 0: the embedded server with ``slots``), measured, then stopped."""
    work = Path(tempfile.mkdtemp(prefix="mlj-bench-"))
    tokens = [add_user(work, f"m{i}") for i in range(submitters)]
    url, procs = board(work, slots=slots, workers=workers)
    try:
        figures = measure(url, work / "board.db", tokens, submissions)
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
    shutil.rmtree(work, ignore_errors=True)  # kept (with its logs) when the setup failed
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=24)
    parser.add_argument("--submitters", type=int, default=4)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        raise SystemExit("redis-server is not on PATH (apt-get install -y redis-server)")
    setups = [("embedded, 1 slot", 1, 0), ("embedded, 2 slots", 2, 0), ("broker, 1 worker", 1, 1),
              ("broker, 2 workers", 1, 2)]
    figures: dict[str, Any] = {}
    for label, slots, workers in setups:
        figures[label] = run_setup(slots=slots, workers=workers, submissions=args.submissions,
                                   submitters=args.submitters)
        print(f"{label:<20} {figures[label]}", flush=True)
    print("\n| setup | graded per minute | submit to start p50 | p99 |\n|---|---|---|---|")
    for label, f in figures.items():
        print(f"| {label} | {f['per_minute']} | {f['start_p50_s']} s | {f['start_p99_s']} s |")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

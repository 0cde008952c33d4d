"""mlj's performance figures, each measured in one run as a ratio to `python -c "import torch"`.

    python bench/run.py [--runs 5] [--batch-runs 3] [--out bench/results.json] [--no-docker] [--no-server]

Prints a table and writes the figures as JSON (compare them between commits).
Every time is the median of --runs runs, with min and max; ratios divide the
median by the median torch import measured in the same run, so a busy or a
fast machine scales both. Figures:

* cold `mlj grade` of one challenge (softmax-cross-entropy), process backend;
* the same with the docker backend (where an engine and the runner image answer),
  and the docker overhead: the torch import and the two cold gradings are taken
  in turn, round after round, and the overhead is the median of the rounds'
  differences;
* warm grading of one challenge: in batch mode (a judge process that already
  graded once) and in the server (submit over HTTP until the result is stored);
* batch throughput over 40 submissions across the five challenges, --jobs 1 and 2,
  alternated --batch-runs times (median, min, max; the speed-up is the median
  of the back-to-back pairs), with the gradings' own seconds summed (from the
  JSON report), the longest one, and how busy the jobs were: a parallel batch
  cannot end before its longest grading, and its jobs idle while the first
  imports run and the last gradings finish;
* what this machine gives two processes at once: a CPU-bound loop run on each core
  in turn, then on both together, measured after every batch pair. On a shared
  virtual machine two busy cores often do not give twice the work of one; each
  reading is as noisy as the batch's own, so it is a yardstick measured beside the
  batch, not a bound on it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXAMPLE = ROOT / "examples" / "softmax_cross_entropy.py"
MLJ = [sys.executable, "-c", "import cli; cli.entry()"]  # what the `mlj` command runs
TARGETS = {"cold_process": 1.5, "warm_batch": 0.3, "warm_server": 0.3}  # at most, x the torch import
DOCKER_OVERHEAD_S = 0.3  # at most, over the process backend
SPEEDUP = 1.8  # at least, --jobs 2 over --jobs 1
BATCH = 40  # submissions in the batch


def timed(cmd: list[str], *, env: dict | None = None, ok: tuple[int, ...] = (0,)) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {proc.returncode}: {proc.stderr[-800:]}")
    return elapsed


def stats(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def _docker_reason(console: Any) -> str | None:
    from judge.sandbox.docker import DockerSandbox

    reason = DockerSandbox.unavailable()
    if reason is not None:
        console.print(f"[yellow]docker figures skipped:[/] {reason}")
    return reason


def cold_figures(runs: int, *, docker: bool) -> dict[str, dict]:
    """The torch import and cold gradings (process, then docker), taken in turn ``runs`` times, the
    order of the gradings flipped each round: a machine that slows down or speeds up over the minutes
    hits the baseline and both backends alike. The docker overhead is the median of each round's
    difference, not the difference of two medians taken minutes apart."""
    grade_cmd = [*MLJ, "grade", "softmax-cross-entropy", str(EXAMPLE)]
    samples: dict[str, list[float]] = {"torch_import": [], "cold_process": [], "cold_docker": []}
    for run in range(runs):
        samples["torch_import"].append(timed([sys.executable, "-c", "import torch"]))
        backends = ["process", "docker"] if docker else ["process"]
        for backend in backends if run % 2 == 0 else backends[::-1]:
            samples[f"cold_{backend}"].append(timed([*grade_cmd, "--sandbox", backend]))
    figures = {name: stats(values) for name, values in samples.items() if values}
    if docker:
        over = [d - p for p, d in zip(samples["cold_process"], samples["cold_docker"])]
        figures["docker_overhead_s"] = {"median": statistics.median(over), "min": min(over), "max": max(over)}
    return figures


def warm_batch(runs: int) -> list[float]:
    from judge.challenge import find
    from judge.grading import grade
    from judge.sandbox.process import ProcessSandbox

    challenge, sandbox = find("softmax-cross-entropy"), ProcessSandbox()
    sandbox.prepare(spare=True)
    grade(challenge, EXAMPLE, sandbox=sandbox, seed=11)  # warms torch, pytest, the fork server and the cache
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = grade(challenge, EXAMPLE, sandbox=sandbox, seed=11)
        samples.append(time.perf_counter() - started)
        assert result.accepted, result.message
    return samples


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(url: str, token: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Authorization": f"Bearer {token}",
                                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def warm_server(runs: int) -> list[float]:
    tmp = Path(tempfile.mkdtemp(prefix="mlj-bench-server-"))
    db = f"sqlite:///{tmp / 'bench.db'}"
    env = dict(os.environ, MLJ_DB=db)
    token = subprocess.run([*MLJ, "admin", "add-user", "bench"], cwd=ROOT, env=env, capture_output=True,
                           text=True, check=True).stdout.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen([*MLJ, "serve", "--port", str(port), "--sandbox", "process", "--workers", "1",
                               "--rate-limit", "0"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api"
    code = EXAMPLE.read_text()
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _http(f"{base}/health", token)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        samples = []
        for i in range(runs + 1):  # the first submission warms the grading process
            started = time.perf_counter()
            sid = _http(f"{base}/submissions", token, {"challenge": "softmax-cross-entropy", "code": code})["id"]
            while _http(f"{base}/submissions/{sid}", token)["status"] not in ("done", "error"):
                time.sleep(0.01)
            if i:
                samples.append(time.perf_counter() - started)
        return samples
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def batch_folder() -> Path:
    """BATCH known submissions across the challenges, laid out DIR/<challenge>/*.py."""
    from judge.challenge import Challenge, discover

    challenges = [c for c in discover() if isinstance(c, Challenge)]
    root = Path(tempfile.mkdtemp(prefix="mlj-bench-batch-"))
    files = {c.id: [c.reference_path, *(p for _, p in c.solutions())] for c in challenges}
    picked, i = 0, 0
    if not any(files.values()):
        raise SystemExit("no valid challenge with known solutions to make a batch of")
    while picked < BATCH:
        for c in challenges:
            pool = files[c.id]
            if picked < BATCH and pool:
                target = root / c.id / f"{i:02d}_{pool[i % len(pool)].name}"
                target.parent.mkdir(exist_ok=True)
                shutil.copyfile(pool[i % len(pool)], target)
                picked += 1
        i += 1
    return root


# a pure-Python loop of about a second: no memory traffic, no imports, no I/O
_SPIN = "import os, sys; os.sched_setaffinity(0, {int(sys.argv[1])}); sum(i * i for i in range(12_000_000))"


def machine_pair() -> float | None:
    """Two processes on two cores at once, as a multiple of the same two one after the other (None: one core)."""
    cores = sorted(os.sched_getaffinity(0))[:2]
    if len(cores) < 2:
        return None
    alone = sum(timed([sys.executable, "-c", _SPIN, str(core)]) for core in cores)
    started = time.perf_counter()
    both = [subprocess.Popen([sys.executable, "-c", _SPIN, str(core)]) for core in cores]
    if any(proc.wait() != 0 for proc in both):
        raise RuntimeError("the two-core probe failed")
    return alone / (time.perf_counter() - started)


def batch_figures(folder: Path, runs: int, console: Any) -> dict[str, dict]:
    """--jobs 1 and --jobs 2 over the same folder, alternated ``runs`` times (drift hits both alike),
    each pair followed by the two-core probe (``machine_pair``)."""
    samples: dict[int, list[dict]] = {1: [], 2: []}
    pairs: list[float] = []
    count = sum(1 for _ in folder.rglob("*.py"))
    for run in range(runs):
        for jobs in (1, 2):
            report = folder.parent / f"{folder.name}-report-{jobs}.json"
            with console.status(f"batch of {count} submissions, --jobs {jobs} (run {run + 1} of {runs})"):
                seconds = timed([*MLJ, "grade", "all", str(folder), "--sandbox", "process", "--jobs", str(jobs),
                                 "--seed", "3", "--json-file", str(report)], ok=(0, 1))
            durations = [s["duration"] for s in json.loads(report.read_text())["submissions"]]
            report.unlink()
            samples[jobs].append({"seconds": seconds, "graded": len(durations), "grading_seconds": sum(durations),
                                  "longest_grading": max(durations)})
        with console.status(f"two CPU-bound processes on two cores (run {run + 1} of {runs})"):
            pair = machine_pair()
        if pair is not None:
            pairs.append(pair)
    figures: dict[str, dict] = {}
    for jobs, rows in samples.items():
        seconds = statistics.median(r["seconds"] for r in rows)
        grading = statistics.median(r["grading_seconds"] for r in rows)
        figures[f"batch_jobs{jobs}"] = {
            "seconds": seconds, "min": min(r["seconds"] for r in rows), "max": max(r["seconds"] for r in rows),
            "per_minute": rows[0]["graded"] / seconds * 60, "runs": len(rows),
            # the gradings' own seconds, summed: what the jobs had to get through
            "grading_seconds": grading, "longest_grading": max(r["longest_grading"] for r in rows),
            # the share of the jobs' time spent grading (the rest: imports, waiting for the last one)
            "busy": grading / (jobs * seconds),
        }
    ratios = [one["seconds"] / two["seconds"] for one, two in zip(samples[1], samples[2])]
    # every pair, in the order run: a commit's figures are compared with another's pair by pair, not only by median
    figures["batch_speedup"] = {"ratio": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
                                "pairs": ratios}
    if pairs:
        figures["machine_two_cores"] = {"ratio": statistics.median(pairs), "min": min(pairs), "max": max(pairs),
                                        "pairs": pairs}
        # the batch's speed-up as a share of what the machine gave two plain processes in the same pairs
        figures["batch_speedup"]["of_machine"] = statistics.median(r / p for r, p in zip(ratios, pairs))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--no-docker", action="store_true")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--batch-runs", type=int, default=3, help="alternated --jobs 1 / --jobs 2 batch runs")
    args = parser.parse_args()
    from rich.console import Console
    from rich.table import Table

    console = Console()
    figures: dict[str, dict] = {}
    docker = not args.no_docker and _docker_reason(console) is None
    with console.status("the torch import and cold `mlj grade`, interleaved"):
        figures.update(cold_figures(args.runs, docker=docker))
    with console.status("warm grading in batch mode"):
        figures["warm_batch"] = stats(warm_batch(args.runs))
    if not args.no_server:
        with console.status("warm grading in the server"):
            figures["warm_server"] = stats(warm_server(args.runs))
    if not args.no_batch:
        folder = batch_folder()
        try:
            figures.update(batch_figures(folder, args.batch_runs, console))
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    base = figures["torch_import"]["median"]
    table = Table(title=f"mlj benchmark (torch import: median {base:.2f} s)", title_justify="left")
    for column in ("figure", "median s", "min s", "max s", "x torch import", "target"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for name, fig in figures.items():
        if "median" in fig and "min" in fig and name != "docker_overhead_s":  # seconds, a row of its own
            fig["ratio"] = fig["median"] / base
            target = TARGETS.get(name)
            mark = "" if target is None else (f"<= {target}x " + ("ok" if fig["ratio"] <= target else "MISSED"))
            table.add_row(name, f"{fig['median']:.3f}", f"{fig['min']:.3f}", f"{fig['max']:.3f}",
                          f"{fig['ratio']:.2f}", mark)
    if "docker_overhead_s" in figures:
        over = figures["docker_overhead_s"]["median"]
        mark = "ok" if over <= DOCKER_OVERHEAD_S else "MISSED"
        table.add_row("docker overhead", f"{over:+.3f}", f"{figures['docker_overhead_s']['min']:+.3f}",
                      f"{figures['docker_overhead_s']['max']:+.3f}", "", f"<= {DOCKER_OVERHEAD_S} s {mark}")
    for jobs in (1, 2):
        if f"batch_jobs{jobs}" in figures:
            fig = figures[f"batch_jobs{jobs}"]
            table.add_row(f"batch {BATCH} subs, --jobs {jobs}", f"{fig['seconds']:.1f}", f"{fig['min']:.1f}",
                          f"{fig['max']:.1f}", "", f"{fig['per_minute']:.1f}/min")
            table.add_row(f"  gradings' own time, --jobs {jobs}", f"{fig['grading_seconds']:.1f}", "",
                          f"{fig['longest_grading']:.1f}", "", f"jobs busy {fig['busy']:.0%}")
    if "batch_speedup" in figures:
        fig = figures["batch_speedup"]
        verdict = "ok" if fig["ratio"] >= SPEEDUP else "MISSED"
        table.add_row("--jobs 2 / --jobs 1", "", f"{fig['min']:.2f}", f"{fig['max']:.2f}", f"{fig['ratio']:.2f}",
                      f">= {SPEEDUP}x {verdict}")
    if "machine_two_cores" in figures:
        fig = figures["machine_two_cores"]
        table.add_row("2 plain processes / 1 (measured beside the batch)", "", f"{fig['min']:.2f}", f"{fig['max']:.2f}",
                      f"{fig['ratio']:.2f}", f"batch gets {figures['batch_speedup']['of_machine']:.0%} of it")
    console.print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"figures": figures, "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                    "cpus": os.cpu_count()}, indent=2) + "\n")
    console.print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()

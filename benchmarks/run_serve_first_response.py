"""Main-job benchmark: seconds from typing ``peacewatch run --serve`` to the first HTTP 200, cold.

Cold means a fresh parquet cache (``PEACEWATCH_CACHE_DIR``) and a fresh output directory per run;
each run is a new interpreter (imports included, as a user sees it). Compared side by side with
what the command did before (and what a user would otherwise do): ``peacewatch run`` to the end,
then ``peacewatch serve``, timed to the same first 200 of the map page ``/``.

Also reports when the background outputs were all written (from the job's own log line).

Writes the ``## Main job`` section of BENCHMARKS.md (``--write``) or prints it. Nothing is asserted.

Usage: ``python benchmarks/run_serve_first_response.py [--runs 3] [--write]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"), PEACEWATCH_CACHE_DIR=str(tmp / "cache"),
               PEACEWATCH_OUT_DIR=str(tmp / "out"))
    env.pop("PEACEWATCH_DB_URL", None)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "peacewatch.cli", *args]


def _first_200(url: str, proc: subprocess.Popen, t0: float, timeout: float = 300) -> float:
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return time.perf_counter() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(url)


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def serve_first(tmp: Path) -> dict[str, float]:
    """``peacewatch run --serve``: first 200, and seconds until every output is written."""
    port = _port()
    log = tmp / "serve.log"
    t0 = time.perf_counter()
    with open(log, "w") as handle:
        proc = subprocess.Popen(_cli("run", "--serve", "--out", str(tmp / "out"), "--port", str(port)),
                                env=_env(tmp), stdout=handle, stderr=subprocess.STDOUT, cwd=tmp)
    try:
        first = _first_200(f"http://127.0.0.1:{port}/", proc, t0)
        while "all outputs written" not in log.read_text() and time.perf_counter() - t0 < 300:
            time.sleep(0.1)
        done = time.perf_counter() - t0
    finally:
        _stop(proc)
    return {"first_200": first, "outputs": done}


def run_then_serve(tmp: Path) -> dict[str, float]:
    """The sequential way: ``peacewatch run`` to the end, then ``peacewatch serve``."""
    t0 = time.perf_counter()
    subprocess.run(_cli("run", "--out", str(tmp / "out")), env=_env(tmp), check=True, cwd=tmp,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    outputs = time.perf_counter() - t0
    port = _port()
    proc = subprocess.Popen(_cli("serve", "--port", str(port)), env=_env(tmp), cwd=tmp,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        first = _first_200(f"http://127.0.0.1:{port}/", proc, t0)
    finally:
        _stop(proc)
    return {"first_200": first, "outputs": outputs}


def main(runs: int) -> str:
    variants = {"`peacewatch run --serve` (serves first, writes outputs in the background)": serve_first,
                "`peacewatch run`, then `peacewatch serve` (the previous behaviour)": run_then_serve}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
    load_before = os.getloadavg()[0]
    for _ in range(runs):  # alternate so that machine load hits both alike
        for name, fn in variants.items():
            tmp = Path(tempfile.mkdtemp(prefix="peacewatch-bench-run-"))
            try:
                results[name].append(fn(tmp))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    lines = [
        f"Script: `benchmarks/run_serve_first_response.py` ({runs} cold runs each, alternating; fresh cache and",
        "output directory per run; a new interpreter per run, imports included). Machine load (1-minute",
        f"average, 2 cores shared with other work): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after.",
        "",
        "| cold start | first HTTP 200, median s | min s | max s | all outputs written, median s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, rows in results.items():
        first = [r["first_200"] for r in rows]
        done = [r["outputs"] for r in rows]
        lines.append(f"| {name} | {statistics.median(first):.1f} | {min(first):.1f} | {max(first):.1f} | "
                     f"{statistics.median(done):.1f} |")
    return "\n".join(lines)


NOTES = """Target (issue 12): the first HTTP 200 within 10 s of a cold `peacewatch run --serve`. The server
starts right after the registry step without preloading (the first page builds only the panel it
shows); once it listens, a background thread warms the app's other caches and writes the panel files,
summary, models report and scorecards, and every page shows a status line until they are done. The
machine is shared (2 cores), so figures vary with its load."""


def write_section(section: str, body: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"(## {section}\n)(.*?)(?=\n## |\Z)", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda m: m.group(1) + "\n" + body + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + f"\n\n## {section}\n\n{body}\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    table = main(args.runs)
    print(table)
    if args.write:
        write_section("Main job", table + "\n\n" + NOTES)

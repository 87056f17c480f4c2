"""Open-loop load on the web pages: this tree against a baseline tree, side by side in one run.

Each tree's app (``create_app``, full panel, warmed) runs in its own ``uvicorn`` subprocess on
127.0.0.1 (one worker, access log off), so the load generator does not share its interpreter. The
generator sends requests at a fixed arrival rate (open loop): request ``i`` is due at ``i / rate``
seconds and is sent then whether or not earlier ones have come back; its latency counts from when
it was due, so queueing inside the server shows up (no coordinated omission). Every request has a
10 s timeout and each run lasts ``--seconds``.

Pages: the hosts and TCC scorecards of 2010 (the slow pages of issue 13) and Haiti's country page.

Usage: ``python benchmarks/web_load.py --baseline-src /path/to/other/checkout/src [--rates 20 40 80] [--write]``
(without ``--baseline-src`` only this tree is measured). Writes the ``### Web under load`` part of
BENCHMARKS.md with ``--write``. No timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/scorecards/hosts?year=2010", "/scorecards/tccs?year=2010", "/country/HTI"]

SERVER = """
import os, sys, uvicorn
from peacewatch.web.app import create_app
from peacewatch.web.settings import WebSettings
app = create_app(WebSettings(db_url=sys.argv[2]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(src: Path, pages: list[str]) -> tuple[subprocess.Popen, str]:
    """The app of the tree ``src`` in a subprocess; returns it and its base URL once it answers."""
    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="peacewatch-webload-"))
    from peacewatch.sources.catalog import data_dir

    # The tree's own (built-in) source catalog, and the same data for both trees.
    env = {**{k: v for k, v in os.environ.items() if k != "PEACEWATCH_CATALOG_DIR"}, "PYTHONPATH": str(src),
           "PEACEWATCH_OUT_DIR": str(tmp), "PEACEWATCH_DATA_DIR": str(data_dir())}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port), f"sqlite:///{tmp / 'registry.sqlite'}"], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app of {src} exited with code {proc.returncode}")
        try:
            # Each page once (lazy per-page work), and the scorecards fully graded.
            if all(httpx.get(base + p, timeout=120).status_code == 200 for p in pages):
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"the app of {src} did not start")


async def open_loop(base: str, path: str, rate: float, seconds: float) -> dict:
    """Send ``rate`` requests per second for ``seconds``; latencies from each request's due time."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:
        t0 = time.perf_counter() + 0.2

        async def one(due: float) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                r = await client.get(path)
                errors += r.status_code != 200
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - due)

        n = int(rate * seconds)
        start = time.perf_counter()
        await asyncio.gather(*(one(t0 + i / rate) for i in range(n)))
        elapsed = time.perf_counter() - start
    lat = np.array(latencies) * 1000
    return {"rate": rate, "sent": n, "done_per_s": n / elapsed, "errors": errors,
            "p50": float(np.percentile(lat, 50)), "p95": float(np.percentile(lat, 95)), "p99": float(np.percentile(lat, 99))}


def alone(base: str, path: str, runs: int = 30) -> float:
    """Median milliseconds of one request at a time (keep-alive)."""
    out = []
    with httpx.Client(base_url=base, timeout=120) as c:
        for _ in range(runs):
            t = time.perf_counter()
            c.get(path).read()
            out.append(time.perf_counter() - t)
    return float(np.median(out) * 1000)


def drain(base: str, path: str, limit: float = 120) -> None:
    """Wait until the server has worked off an overload (a request answers within 2 s again)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            t = time.perf_counter()
            httpx.get(base + path, timeout=limit)
            if time.perf_counter() - t < 2:
                return
        except httpx.HTTPError:
            time.sleep(1)


def measure(src: Path, label: str, rates: list[float], seconds: float, pages: list[str]) -> list[dict]:
    proc, base = start(src, pages)
    rows = []
    try:
        for path in pages:
            drain(base, path)
            size = len(httpx.get(base + path, timeout=120).content)
            single = alone(base, path)
            for rate in rates:
                drain(base, path)
                res = asyncio.run(open_loop(base, path, rate, seconds))
                rows.append({"tree": label, "path": path, "kB": size / 1024, "alone": single, **res})
                print(rows[-1], flush=True)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    return rows


def section(rows: list[dict], seconds: float) -> str:
    lines = [
        "### Web under load", "",
        f"Script: `benchmarks/web_load.py` (open loop: requests sent at a fixed arrival rate for {seconds:.0f} s whether or "
        "not earlier ones returned, latency counted from each request's due time; app in its own uvicorn process, "
        "one worker; client asyncio httpx on the same 2-core machine). `before` is the tree the branch started from, "
        "`after` this tree, in the same run.", "",
        "| tree | page | HTML kB | alone ms | offered req/s | done req/s | errors | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['tree']} | `{r['path']}` | {r['kB']:.0f} | {r['alone']:.1f} | {r['rate']:.0f} | {r['done_per_s']:.0f} | "
                     f"{r['errors']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} |")
    lines += ["", "Offered rates beyond what a tree serves show as done req/s below the offered rate and a p99 that "
              "grows with the queue. Shared machine: compare rows of one run, not across runs."]
    return "\n".join(lines) + "\n"


def write(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    doc = path.read_text()
    if "### Web under load" in doc:
        doc = re.sub(r"### Web under load\n.*?(?=\n## |\n### |\Z)", text.rstrip("\n") + "\n", doc, flags=re.S)
    else:
        doc = re.sub(r"(## Web\n.*?)(?=\n## |\Z)", lambda m: m.group(1).rstrip("\n") + "\n\n" + text, doc, flags=re.S)
    path.write_text(doc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline-src", type=Path, help="src/ directory of the tree to compare with")
    ap.add_argument("--rates", type=float, nargs="+", default=[20, 40, 80])
    ap.add_argument("--seconds", type=float, default=8)
    ap.add_argument("--pages", nargs="+", default=PAGES, help="paths to load (default: %(default)s)")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows = []
    if args.baseline_src:
        rows += measure(args.baseline_src.resolve(), "before", args.rates, args.seconds, args.pages)
    rows += measure(ROOT / "src", "after", args.rates, args.seconds, args.pages)
    text = section(rows, args.seconds)
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()

"""Bounded loopback load test of the registry API (SQLite and, with ``--pg-url``, PostgreSQL).

Starts ``uvicorn`` on 127.0.0.1 (one worker, access log off), seeds users and 200 cases, then sends
a fixed number of requests with fixed concurrency from an asyncio ``httpx`` client:
60% ``GET /cases/{id}`` (audited read), 20% ``GET /cases?limit=20`` (audited list), 20% ``POST /cases``
(write with encrypted victim details). Every request has a 10 s timeout and the run stops after
``--max-seconds`` whatever happens. Prints requests/s and latency percentiles as a Markdown row.

Run: ``python benchmarks/registry_load.py [--pg-url postgresql+psycopg://...]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time

import httpx
import numpy as np
from cryptography.fernet import Fernet

CASE = {"mission": "MINUSCA", "tcc_ccode": 770, "category": "sexual_exploitation",
        "summary": "Load-test allegation", "subject_name": "Test Subject", "victim": {"name": "Test Victim", "age": 20}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(db_url: str) -> str:
    from peacewatch.registry import auth, cases
    from peacewatch.registry.service import Registry
    reg = Registry(db_url)
    with reg.session() as s:
        user = auth.create_user(s, f"load-{random.randrange(10**9)}", "load-test-password", auth.COORDINATOR)
        for _ in range(200):
            cases.create_case(s, user.user, **{k: v for k, v in CASE.items()})
    reg.dispose()
    return user.token


async def run_load(base: str, token: str, total: int, concurrency: int, max_seconds: float) -> tuple[list[float], int, float]:
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    deadline = time.perf_counter() + max_seconds
    rng = random.Random(1)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            try:
                queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            roll = rng.random()
            t = time.perf_counter()
            try:
                if roll < 0.6:
                    r = await client.get(f"/cases/{rng.randint(1, 200)}", headers=headers)
                elif roll < 0.8:
                    r = await client.get("/cases", params={"limit": 20}, headers=headers)
                else:
                    r = await client.post("/cases", json=CASE, headers=headers)
                failed = r.status_code >= 400
            except httpx.HTTPError:
                failed = True  # e.g. the 10 s timeout: counted, and its latency kept
            latencies.append(time.perf_counter() - t)
            errors += failed

    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=10.0) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - start


def bench(label: str, db_url: str, total: int, concurrency: int, max_seconds: float) -> str:
    token = seed(db_url)
    port = free_port()
    env = dict(os.environ, PEACEWATCH_DB_URL=db_url)
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "peacewatch.registry.api:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}/api/registry"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {token}"}, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        lat, errors, elapsed = asyncio.run(run_load(base, token, total, concurrency, max_seconds))
    finally:
        server.terminate()
        server.wait(timeout=10)
    ms = np.array(lat) * 1000
    return (f"| {label} | {len(lat):,} | {concurrency} | {len(lat) / elapsed:,.0f} | {np.percentile(ms, 50):.1f} | "
            f"{np.percentile(ms, 99):.1f} | {errors} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-seconds", type=float, default=120)
    ap.add_argument("--pg-url", default=None, help="PostgreSQL URL on 127.0.0.1 (a fresh database is best)")
    a = ap.parse_args()
    os.environ.setdefault("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    rows = ["| backend | requests | concurrency | requests/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(bench("SQLite (WAL, synchronous=FULL)", f"sqlite:///{tmp}/load.sqlite", a.requests, a.concurrency, a.max_seconds))
    if a.pg_url:
        rows.append(bench("PostgreSQL 15", a.pg_url, a.requests, a.concurrency, a.max_seconds))
    print("\n".join(rows))


if __name__ == "__main__":
    main()

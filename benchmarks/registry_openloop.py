"""Open-loop load test of the registry API, today's design against an older commit, same run.

Requests are sent at a fixed arrival rate whatever the responses do: each is put on a queue at its
scheduled time and sent by the first free one of 64 keep-alive connections of a lean asyncio
HTTP/1.1 client; latency is measured from the scheduled time, so a slow server cannot slow the
client down and hide its queue (time waiting for a free connection counts). Mix: 60% ``GET /cases/{id}``, 20%
``GET /cases?limit=20``, 20% ``POST /cases`` (encrypted victim details). 10 s timeout per request.

For each design (this source tree, and ``--old-src``: a ``src/`` directory of another commit, e.g.
from ``git archive 44dd4b9 src | tar -x -C /tmp/old``) and each backend (SQLite file, and
PostgreSQL with ``--pg-url``: a fresh database per run is created there), a uvicorn server
(``peacewatch.registry.api:create_app``; no access log, proxy headers or Server header, as
``peacewatch serve`` runs it) is started with that design on its ``PYTHONPATH``, 200 cases are
seeded, and every rate in ``--rates`` runs for ``--seconds`` after a 2 s warm-up. Also measured,
per design: the sustained audit append rate (64 threads each committing audited reads in a loop,
in-process) and the p50/p99 of ``GET /me`` at 40 req/s while bursts of 30 wrong-password logins
(from 30 loopback addresses, so the per-client login limiter does not stop them) run at once.

With ``--repeat K`` every design runs K times, the designs taking turns in alternating order (the
shared machine's speed drifts by up to half within minutes), and a table of medians follows.
``--app web`` serves the API through the whole web app, as ``peacewatch serve`` does.

Run: ``python benchmarks/registry_openloop.py --old-src /tmp/old/src --pg-url postgresql+psycopg://... [--repeat 3]``
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
from cryptography.fernet import Fernet

HERE_SRC = str(Path(__file__).resolve().parent.parent / "src")
CASE = {"mission": "MINUSCA", "tcc_ccode": 770, "category": "sexual_exploitation",
        "summary": "Load-test allegation", "subject_name": "Test Subject", "victim": {"name": "Test Victim", "age": 20}}
CLK_TCK = os.sysconf("SC_CLK_TCK")

SEED = textwrap.dedent("""
    import sys
    from peacewatch.registry import auth, cases
    from peacewatch.registry.service import Registry
    reg = Registry(sys.argv[1])
    with reg.session() as s:
        user = auth.create_user(s, "load", "load-test-password", auth.COORDINATOR)
        for _ in range(200):
            cases.create_case(s, user.user, mission="MINUSCA", tcc_ccode=770, category="sexual_exploitation",
                              summary="seed", subject_name="Test Subject", victim={"name": "V", "age": 20})
    reg.dispose()
    print(user.token)
""")

APPEND = textwrap.dedent("""
    import sys, threading, time
    from peacewatch.registry import audit
    from peacewatch.registry.service import Registry
    reg = Registry(sys.argv[1])
    seconds, threads = float(sys.argv[2]), int(sys.argv[3])
    try:
        reg.session(read_only=True).__enter__
        ro = {"read_only": True}
    except TypeError:
        ro = {}
    counts = [0] * threads
    stop = time.perf_counter() + seconds

    def work(k):
        while time.perf_counter() < stop:
            with reg.session(**ro) as s:
                audit.record(s, "load", "read", "case", k)
            counts[k] += 1

    t0 = time.perf_counter()
    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts: t.start()
    for t in ts: t.join()
    elapsed = time.perf_counter() - t0
    batches = getattr(getattr(reg, "sequencer", None), "batches", None)
    print(sum(counts), elapsed, batches)
""")


def machine_speed() -> float:
    """CPU ms of a fixed pure-Python loop (lower is faster): the project machine is shared, and its
    speed moved by up to half between runs minutes apart, so each table says how fast it was."""
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        sum(i * i for i in range(10**6))
        best = min(best, time.process_time() - t)
    return best * 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User+system CPU of ``pid`` and its children (uvicorn workers), from /proc."""
    total = 0.0
    pids = [pid] + [int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid(int(p)) == pid]
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLK_TCK
        except (OSError, IndexError):
            pass
    return total


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError):
        return -1


def fresh_db(backend: str, tmp: str, pg_url: str | None) -> tuple[str, callable]:
    if backend == "sqlite":
        path = Path(tmp) / f"load-{uuid.uuid4().hex[:6]}.sqlite"
        return f"sqlite:///{path}", lambda: None
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    name = f"pw_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return make_url(pg_url).set(database=name).render_as_string(hide_password=False), drop


def env_for(src: str, db_url: str, out_dir: str) -> dict:
    return dict(os.environ, PYTHONPATH=src, PEACEWATCH_DB_URL=db_url, PEACEWATCH_OUT_DIR=out_dir)


#: The whole web app as ``peacewatch serve`` builds it (pages, middleware and the API under
#: /api/registry), without building the panel at start (the API does not need it).
WEB_FACTORY = """
import os
from peacewatch.web.app import create_app
from peacewatch.web.settings import WebSettings

def app():
    return create_app(WebSettings(db_url=os.environ["PEACEWATCH_DB_URL"], preload=False))
"""


class Server:
    def __init__(self, src: str, db_url: str, out_dir: str, workers: int = 1, app: str = "api"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/api/registry"
        env = env_for(src, db_url, out_dir)
        self.token = subprocess.run([sys.executable, "-c", SEED, db_url], env=env, check=True,
                                    capture_output=True, text=True).stdout.strip().splitlines()[-1]
        factory = "peacewatch.registry.api:create_app"
        if app == "web":
            Path(out_dir, "bench_web_factory.py").write_text(WEB_FACTORY)
            env["PYTHONPATH"] = f"{src}{os.pathsep}{out_dir}"
            factory = "bench_web_factory:app"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", factory, "--factory", "--workers", str(workers),
             "--host", "0.0.0.0", "--port", str(self.port), "--no-access-log", "--no-proxy-headers", "--no-server-header", "--log-level", "warning"], env=env)
        for _ in range(300):
            try:
                if httpx.get(f"{self.base}/me", headers=self.headers, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def drain(self, limit: float = 120.0) -> None:
        """Wait until the server answers promptly again (a run above capacity leaves a backlog)."""
        end = time.time() + limit
        while time.time() < end:
            try:
                t = time.perf_counter()
                httpx.get(f"{self.base}/me", headers=self.headers, timeout=30)
                if time.perf_counter() - t < 0.2:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class LeanConnection:
    """One keep-alive HTTP/1.1 connection speaking just enough of the protocol (a lean client: an
    httpx client with hundreds of connections costs more CPU than the server on 2 shared cores)."""

    def __init__(self, host: str, port: int, token: str):
        self.host, self.port = host, port
        self.auth = f"Authorization: Bearer {token}\r\n"
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: bytes | None = None) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{self.auth}"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + (body or b""))
        status = int((await self.reader.readline()).split()[1])
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            key, _, value = line.decode("latin-1").partition(":")
            key = key.strip().lower()
            if key == "content-length":
                length = int(value)
            elif key == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readline()).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def open_loop(server: Server, rate: float, seconds: float, warmup: float = 2.0, connections: int = 64) -> dict:
    """Send at ``rate`` per second for ``warmup + seconds``; requests queue in the client when all
    ``connections`` are busy, and that wait counts in their latency (measured from the scheduled time)."""
    rng = random.Random(7)
    prefix = "/api/registry"
    body = json.dumps(CASE).encode()
    queue: asyncio.Queue = asyncio.Queue()
    results: list[tuple[float, str]] = []
    trace: list[tuple[float, str, float, str]] = []  # (scheduled offset s, kind, latency s, outcome)

    async def worker() -> None:
        conn = LeanConnection("127.0.0.1", server.port, server.token)
        while True:
            item = await queue.get()
            if item is None:
                conn.close()
                return
            scheduled, roll, measured = item
            try:
                kind = "get" if roll < 0.6 else "list" if roll < 0.8 else "post"
                if kind == "get":
                    req = conn.request("GET", f"{prefix}/cases/{rng.randint(1, 200)}")
                elif kind == "list":
                    req = conn.request("GET", f"{prefix}/cases?limit=20")
                else:
                    req = conn.request("POST", f"{prefix}/cases", body)
                status = await asyncio.wait_for(req, timeout=max(0.001, scheduled + 10.0 - time.perf_counter()))
                outcome = "ok" if status < 400 else "error"
            except asyncio.TimeoutError:
                outcome = "timeout"
                conn.close()
            except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                outcome = "error"
                conn.close()
            if measured:
                results.append((time.perf_counter() - scheduled, outcome))
                trace.append((scheduled - start, kind, results[-1][0], outcome))

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    total = int((warmup + seconds) * rate)
    start = time.perf_counter() + 0.05
    cpu0 = t_cpu0 = None
    for i in range(total):
        at = start + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        measured = i >= warmup * rate
        if measured and cpu0 is None:
            cpu0, t_cpu0 = cpu_seconds(server.proc.pid), time.perf_counter()
        queue.put_nowait((at, rng.random(), measured))
    cpu1, t_cpu1 = cpu_seconds(server.proc.pid), time.perf_counter()
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    window_end = time.perf_counter()
    ok = [lat for lat, o in results if o != "timeout"]
    ms = np.array(ok) * 1000 if ok else np.array([np.nan])
    return {
        "offered": rate, "achieved": len(ok) / max(window_end - (start + warmup), 1e-9),
        "p50": np.percentile(ms, 50), "p95": np.percentile(ms, 95), "p99": np.percentile(ms, 99),
        "errors": sum(o == "error" for _, o in results), "timeouts": sum(o == "timeout" for _, o in results),
        "cpu": (cpu1 - cpu0) / (t_cpu1 - t_cpu0) * 100 if cpu0 is not None else float("nan"),
        "cpu_ms": (cpu1 - cpu0) * 1000 / max(len(results), 1) if cpu0 is not None else float("nan"),
        "trace": trace,
    }


async def me_under_logins(server: Server, seconds: float = 10.0, rate: float = 40.0, bursts: int = 5) -> dict:
    async with httpx.AsyncClient(base_url=server.base, timeout=20.0, headers=server.headers) as client:
        async def baseline():
            lat = []
            t0 = time.perf_counter()
            for i in range(int(rate * 3)):
                at = t0 + i / rate
                await asyncio.sleep(max(0, at - time.perf_counter()))
                r = await client.get("/me")
                lat.append((time.perf_counter() - at) * 1000)
                assert r.status_code == 200
            return lat

        base = await baseline()
        login_codes: list[int] = []
        errors: list[int] = []

        login_body = json.dumps({"username": "load", "password": "wrong-password-xyz"}).encode()

        async def wrong_login(addr: str) -> None:
            # A raw request from its own loopback address: creating 30 httpx clients at once (an SSL
            # context each) took the client's event loop for most of a second and showed up as
            # server latency of the /me requests scheduled meanwhile.
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port, local_addr=(addr, 0))
                writer.write(f"POST /api/registry/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(login_body)}\r\nConnection: close\r\n\r\n".encode() + login_body)
                status = int((await asyncio.wait_for(reader.readline(), 30)).split()[1])
                writer.close()
                login_codes.append(status)
            except (OSError, ValueError, IndexError, asyncio.TimeoutError):
                login_codes.append(0)

        async def me_loop():
            lat = []
            tasks = []
            t0 = time.perf_counter()

            async def one(at):
                try:
                    await client.get("/me")
                except httpx.HTTPError:
                    errors.append(1)  # counted, and its latency kept
                lat.append((time.perf_counter() - at) * 1000)
            for i in range(int(rate * seconds)):
                at = t0 + i / rate
                await asyncio.sleep(max(0, at - time.perf_counter()))
                tasks.append(asyncio.create_task(one(at)))
            await asyncio.gather(*tasks)
            return lat

        async def login_bursts():
            for b in range(bursts):
                await asyncio.gather(*(wrong_login(f"127.0.{b + 1}.{k + 2}") for k in range(30)))
                await asyncio.sleep(0.5)

        lat, _ = await asyncio.gather(me_loop(), login_bursts())
    return {"base_p50": np.percentile(base, 50), "base_p99": np.percentile(base, 99),
            "p50": np.percentile(lat, 50), "p99": np.percentile(lat, 99), "max": max(lat),
            "errors": len(errors),
            "login_codes": ", ".join(f"{n} x {c or 'no answer'}" for c, n in sorted(Counter(login_codes).items()))}


def append_rate(src: str, db_url: str, out_dir: str, seconds: float, threads: int = 64) -> tuple[float, float | None]:
    env = env_for(src, db_url, out_dir)
    subprocess.run([sys.executable, "-c", SEED.replace("range(200)", "range(1)"), db_url], env=env, check=True,
                   capture_output=True)
    out = subprocess.run([sys.executable, "-c", APPEND, db_url, str(seconds), str(threads)], env=env, check=True,
                         capture_output=True, text=True).stdout.split()
    n, elapsed, batches = int(out[0]), float(out[1]), out[2]
    return n / elapsed, (n / int(batches) if batches not in ("None",) else None)


def row(label: str, backend: str, workers: int, r: dict, p99_range: str | None = None) -> str:
    """One Markdown table row of an open-loop result."""
    rng = f" {p99_range} |" if p99_range is not None else ""
    return (f"| {label} | {backend} | {workers} | {r['offered']:.0f} | {r['achieved']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['p99']:.1f} |{rng} {r['errors']:.0f} | {r['timeouts']:.0f} | {r['cpu']:.0f} | {r['cpu_ms']:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="50,100,200,400")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--pg-url", default=None)
    ap.add_argument("--old-src", default=None, help="src/ directory of the older design to compare")
    ap.add_argument("--old-label", default="44dd4b9", help="name of the older design in the tables")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--skip-extra", action="store_true", help="only the open-loop table")
    ap.add_argument("--backends", default="sqlite,postgres", help="which of sqlite,postgres to run")
    ap.add_argument("--designs", default="", help="subset of today and the --old-label design (default both)")
    ap.add_argument("--app", choices=["api", "web"], default="api",
                    help="serve the registry API alone, or the whole web app of `peacewatch serve` (API under /api/registry)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per design, taking turns; also prints the medians")
    ap.add_argument("--trace", default=None, help="write every request (start offset, kind, latency) to this JSON file")
    a = ap.parse_args()
    os.environ.setdefault("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    designs = [("today", HERE_SRC)] + ([(a.old_label, a.old_src)] if a.old_src else [])
    if a.designs:
        designs = [d for d in designs if d[0] in a.designs.split(",")]
    backends = [b for b in a.backends.split(",") if b == "sqlite" or (b == "postgres" and a.pg_url)]
    rates = [float(r) for r in a.rates.split(",") if r.strip()]
    print(f"load average at start: {os.getloadavg()}; machine speed {machine_speed():.0f} ms per loop", flush=True)
    print(f"served app: {'the whole web app of peacewatch serve' if a.app == 'web' else 'the registry API alone'}")
    print("| design | backend | workers | offered/s | achieved/s | p50 ms | p95 ms | p99 ms | errors | timeouts | server CPU % | CPU ms/request |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|", flush=True)
    extra = []
    traces: dict[str, list] = {}
    runs: dict[tuple[str, str, float], list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for rep in range(a.repeat):
                # Designs take turns, in alternating order: the shared machine's speed drifts.
                for design, src in (designs if rep % 2 == 0 else designs[::-1]):
                    label = design if a.repeat == 1 else f"{design} (run {rep + 1})"
                    db_url, drop = fresh_db(backend, tmp, a.pg_url)
                    out_dir = tempfile.mkdtemp(dir=tmp)
                    server = Server(src, db_url, out_dir, a.workers, a.app)
                    try:
                        for rate in rates:
                            server.drain()
                            r = asyncio.run(open_loop(server, rate, a.seconds))
                            traces[f"{label} {backend} {rate:g}"] = r.pop("trace")
                            runs.setdefault((design, backend, rate), []).append(r)
                            print(row(label, backend, a.workers, r), flush=True)
                        if not a.skip_extra and rep == 0:
                            server.drain()
                            try:
                                m = asyncio.run(me_under_logins(server))
                                extra.append(f"| {design} | {backend} | GET /me at 40/s, 5 bursts of 30 wrong-password logins | "
                                             f"{m['base_p50']:.1f} / {m['base_p99']:.1f} | {m['p50']:.1f} / {m['p99']:.1f} / {m['max']:.0f} | "
                                             f"logins answered {m['login_codes']}; {m['errors']} /me errors |")
                            except Exception as exc:  # noqa: BLE001 - reported in the table
                                extra.append(f"| {design} | {backend} | GET /me under logins | failed: {type(exc).__name__} | | |")
                    finally:
                        server.stop()
                        drop()
                    if not a.skip_extra and rep == 0:
                        db_url, drop = fresh_db(backend, tmp, a.pg_url)
                        try:
                            rate_s, per_batch = append_rate(src, db_url, tempfile.mkdtemp(dir=tmp), 10)
                        finally:
                            drop()
                        extra.append(f"| {design} | {backend} | audit append, 64 threads, 10 s | {rate_s:,.0f} entries/s | "
                                     f"{'%.1f entries per batch' % per_batch if per_batch else 'one commit per entry'} | |")
                        print("\n".join(extra[-2:]), flush=True)
    if a.repeat > 1:
        print(f"\nMedian of {a.repeat} runs (p99 range: lowest and highest run)")
        print("| design | backend | workers | offered/s | achieved/s | p50 ms | p95 ms | p99 ms | p99 range ms | errors | timeouts | server CPU % | CPU ms/request |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for (design, backend, rate), rs in runs.items():
            med = {k: float(np.median([r[k] for r in rs])) for k in ("offered", "achieved", "p50", "p95", "p99", "errors",
                                                                     "timeouts", "cpu", "cpu_ms")}
            p99s = [r["p99"] for r in rs]
            print(row(design, backend, a.workers, med, p99_range=f"{min(p99s):.1f}-{max(p99s):.1f}"))
    print("\n| design | backend | measurement | before (p50 / p99 ms) | during (p50 / p99 / max ms) | notes |")
    print("|---|---|---|---|---|---|")
    print("\n".join(extra))
    print(f"load average at end: {os.getloadavg()}; machine speed {machine_speed():.0f} ms per loop")
    if a.trace:
        Path(a.trace).write_text(json.dumps(traces))


if __name__ == "__main__":
    main()

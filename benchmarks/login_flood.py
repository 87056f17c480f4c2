"""Real logins under a login flood from many networks (issue 20: "a flood must not delay real logins
beyond ~1 s").

A uvicorn server (``peacewatch.registry.api:create_app``, 1 worker, SQLite file, one coordinator
``load``; see ``registry_openloop.Server``) is started with ``PEACEWATCH_TRUSTED_PROXIES=127.0.0.1``,
so the ``X-Forwarded-For`` the client sends is believed and every flood request appears to come
from its own /24 network (10.a.b.7): the per-client and per-network login limits never stop it, only
the overall one. The flood is open loop: wrong-password logins for random non-existent usernames
(each costs the same scrypt check as a real account) sent at ``--rates`` per second for
``--seconds`` through 64 keep-alive connections, latency measured from the scheduled time.

Meanwhile the real user logs in at 1 per second from a *known device* (the ``pw_device`` cookie
of an earlier login, as a returning user's browser holds it) and, half a second apart, 1 per
second from a *new device* (no cookie), each login from its own address (so the per-client limit of
the measurement itself does not refuse it). Reported per scenario (no flood, then each rate): the
real logins' p50/p95/p99 latency (ms, from the scheduled time, new connection each) and the share
answered 200, and what the flood was answered.

Run: ``python benchmarks/login_flood.py [--rates 100,300] [--seconds 30]``; prints Markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent))
from registry_openloop import HERE_SRC, Server, machine_speed

PASSWORD = "load-test-password"


async def post_login(
    port: int, body: bytes, forwarded: str, cookie: str | None = None, conn: list | None = None
) -> tuple[int, dict[str, str]]:
    """One ``POST /api/registry/login``; ``conn`` (a one-item list) keeps a keep-alive connection."""
    if conn is not None and conn[0] is not None:
        reader, writer = conn[0]
    else:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if conn is not None:
            conn[0] = (reader, writer)
    head = (
        f"POST /api/registry/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Forwarded-For: {forwarded}\r\nContent-Length: {len(body)}\r\n"
    )
    if cookie:
        head += f"Cookie: pw_device={cookie}\r\n"
    if conn is None:
        head += "Connection: close\r\n"
    writer.write(head.encode() + b"\r\n" + body)
    status = int((await reader.readline()).split()[1])
    headers: dict[str, str] = {}
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        key, _, value = line.decode("latin-1").partition(":")
        key = key.strip().lower()
        if key == "content-length":
            length = int(value)
        if key == "set-cookie" and value.strip().startswith("pw_device="):
            headers["device"] = value.strip().split(";", 1)[0].split("=", 1)[1]
    if length:
        await reader.readexactly(length)
    if conn is None:
        writer.close()
    return status, headers


async def scenario(server: Server, rate: float, seconds: float, device: str) -> dict:
    """Real logins (known and new device, 1/s each) for ``seconds``, with a flood at ``rate``/s."""
    rng = random.Random(20)
    real: dict[str, list[tuple[float, int]]] = {"known device": [], "new device": []}
    flood: list[tuple[float, int]] = []
    queue: asyncio.Queue = asyncio.Queue()
    good = json.dumps({"username": "load", "password": PASSWORD}).encode()

    async def flood_worker() -> None:
        conn: list = [None]
        while (item := await queue.get()) is not None:
            at, k = item
            body = json.dumps({"username": f"nobody{rng.randrange(10**9)}", "password": "wrong-password-xyz"}).encode()
            try:
                status, _ = await asyncio.wait_for(
                    post_login(server.port, body, f"10.{k // 256 % 256}.{k % 256}.7", conn=conn), 30
                )
            except (TimeoutError, OSError, ValueError, IndexError, asyncio.IncompleteReadError):
                status = 0
                if conn[0] is not None:
                    conn[0][1].close()
                conn[0] = None
            flood.append((time.perf_counter() - at, status))
        if conn[0] is not None:
            conn[0][1].close()

    async def real_login(kind: str, at: float, k: int) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        # each login from its own address (192.168.<k>.<1|2>): the measurement's own logins must not
        # meet the per-client or per-network limit
        addr = f"192.168.{k % 256}.{1 if kind == 'known device' else 2}"
        try:
            status, _ = await asyncio.wait_for(
                post_login(server.port, good, addr, device if kind == "known device" else None), 30
            )
        except (TimeoutError, OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            status = 0
        real[kind].append((time.perf_counter() - at, status))

    workers = [asyncio.create_task(flood_worker()) for _ in range(64)] if rate else []
    start = time.perf_counter() + 0.2
    logins = [asyncio.create_task(real_login("known device", start + i, i)) for i in range(int(seconds))]
    logins += [asyncio.create_task(real_login("new device", start + i + 0.5, i)) for i in range(int(seconds))]
    for i in range(int(rate * seconds)):
        at = start + i / rate
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        queue.put_nowait((at, i))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*logins, *workers)
    out: dict = {"rate": rate}
    for kind, rows in real.items():
        ms = np.array([lat for lat, _ in rows]) * 1000
        out[kind] = {
            "n": len(rows),
            "p50": np.percentile(ms, 50),
            "p95": np.percentile(ms, 95),
            "p99": np.percentile(ms, 99),
            "max": ms.max(),
            "ok": sum(s == 200 for _, s in rows) / len(rows),
            "codes": Counter(s for _, s in rows),
        }
    if flood:
        fms = np.array([lat for lat, _ in flood]) * 1000
        out["flood"] = {
            "n": len(flood),
            "p50": np.percentile(fms, 50),
            "p99": np.percentile(fms, 99),
            "codes": Counter(s for _, s in flood),
        }
    return out


def codes(c: Counter) -> str:
    return ", ".join(f"{n} x {k or 'no answer'}" for k, n in sorted(c.items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rates", default="100,300", help="flood arrival rates per second (0 = no flood is always run)")
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--src", default=HERE_SRC, help="src/ directory of the design to serve")
    a = ap.parse_args()
    os.environ.setdefault("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    os.environ["PEACEWATCH_TRUSTED_PROXIES"] = "127.0.0.1"
    print(f"load average at start: {os.getloadavg()}; machine speed {machine_speed():.0f} ms per loop", flush=True)
    rates = [0.0] + [float(r) for r in a.rates.split(",") if r.strip() and float(r) > 0]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(a.src, f"sqlite:///{tmp}/flood.sqlite", tmp)
        try:
            status, headers = asyncio.run(
                post_login(
                    server.port, json.dumps({"username": "load", "password": PASSWORD}).encode(), "192.168.255.1"
                )
            )
            assert status == 200 and headers.get("device"), f"first login answered {status}"
            for rate in rates:
                server.drain()
                # a new server-side minute: the overall login window of the previous scenario is spent
                time.sleep(61 if rate else 0)
                r = asyncio.run(scenario(server, rate, a.seconds, headers["device"]))
                for kind in ("known device", "new device"):
                    k = r[kind]
                    rows.append(
                        f"| {rate:g} | {kind} | {k['n']} | {k['p50']:.0f} | {k['p95']:.0f} | {k['p99']:.0f} | "
                        f"{k['max']:.0f} | {k['ok'] * 100:.0f}% | {codes(k['codes'])} |"
                    )
                    print(rows[-1], flush=True)
                if "flood" in r:
                    f = r["flood"]
                    print(
                        f"flood at {rate:g}/s: {f['n']} sent, p50 {f['p50']:.0f} ms, p99 {f['p99']:.0f} ms, "
                        f"answered {codes(f['codes'])}",
                        flush=True,
                    )
        finally:
            server.stop()
    print("\n| flood req/s | real login | logins | p50 ms | p95 ms | p99 ms | max ms | answered 200 | answers |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"load average at end: {os.getloadavg()}; machine speed {machine_speed():.0f} ms per loop")


if __name__ == "__main__":
    main()

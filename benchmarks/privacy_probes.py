"""Rerun of issue 20's attack probes against a live server; prints one row per finding: held or failed.

Starts the whole web app (``peacewatch.web.app:create_app``, as ``peacewatch serve`` builds it, no
panel preload) under uvicorn on a fresh SQLite registry, with ``PEACEWATCH_TRUSTED_PROXIES=127.0.0.1``
so that each request can come from its own address through ``X-Forwarded-For`` (as the issue's run
did behind a trusted proxy), and ``PEACEWATCH_INTAKE_OVERALL=60/minute`` so the intake flood needs
90 reports rather than 900 (the same code path as the default 600/minute). A second server with
``secure_cookies`` on serves the cookie probe. The CLI probes (``registry init``, ``vetting screen
--out``) run the command line against the same kind of setup. Each probe does what the issue's
attack did and checks the answer the issue asks for ("Done when": no high or medium finding):
``held`` means the attack failed.

Run: ``python benchmarks/privacy_probes.py``; prints a Markdown table (probe, severity, what was
tried, result, evidence).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parent))
from login_flood import post_login
from registry_openloop import HERE_SRC, free_port

API = "/api/registry"
COORD_PASSWORD = "probe-coordinator-amber-harbour-7"
YEAR = dt.datetime.now(dt.UTC).year

FACTORY = """
import os
from peacewatch.web.app import create_app
from peacewatch.web.settings import WebSettings

def app():
    return create_app(WebSettings(db_url=os.environ["PEACEWATCH_DB_URL"], preload=False,
                                  secure_cookies=os.environ.get("PROBE_SECURE") == "1"))
"""

SEED = textwrap.dedent("""
    import sys
    from peacewatch.registry import auth
    from peacewatch.registry.service import Registry
    reg = Registry(sys.argv[1])
    with reg.session() as s:
        print(auth.create_user(s, "coord", sys.argv[2], auth.COORDINATOR).token)
    reg.dispose()
""")


class LiveServer:
    """uvicorn with the whole web app on ``db_url`` (``secure``: cookies marked Secure)."""

    def __init__(self, tmp: Path, db_url: str, secure: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (tmp / "probe_factory.py").write_text(FACTORY)
        env = dict(
            os.environ,
            PYTHONPATH=f"{HERE_SRC}{os.pathsep}{tmp}",
            PEACEWATCH_DB_URL=db_url,
            PEACEWATCH_OUT_DIR=str(tmp),
            PROBE_SECURE="1" if secure else "0",
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "probe_factory:app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--no-access-log",
                "--no-proxy-headers",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        for _ in range(300):
            try:
                if httpx.get(f"{self.url}/report", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start")

    def client(self, address: str = "203.0.113.1", **kw) -> httpx.Client:
        """A client whose requests appear to come from ``address`` (through the trusted proxy)."""
        return httpx.Client(
            base_url=self.url, headers={"X-Forwarded-For": address}, timeout=30, follow_redirects=False, **kw
        )

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Probes:
    """Every probe: returns (held, evidence)."""

    def __init__(self, server: LiveServer, tmp: Path, db_path: Path, coord_token: str):
        self.s, self.tmp, self.db = server, tmp, db_path
        self.coord = {"Authorization": f"Bearer {coord_token}"}
        self.api = server.client()

    def _case(self, tcc: int = 770) -> int:
        body = {"mission": "MINUSCA", "tcc_ccode": tcc, "category": "sexual_exploitation", "summary": "probe case"}
        r = self.api.post(f"{API}/cases", json=body, headers=self.coord)
        assert r.status_code == 201, r.text
        return r.json()["id"]

    def _user(self, username: str, password: str, role: str = "investigator") -> httpx.Response:
        return self.api.post(
            f"{API}/users", json={"username": username, "password": password, "role": role}, headers=self.coord
        )

    # --- high ---------------------------------------------------------------------------------------
    def scorecard_open_year(self) -> tuple[bool, str]:
        """The public TCC scorecard of the open year, polled while a case is filed; a TCC with one
        allegation this year."""
        for _ in range(6):
            self._case(770)
        pub = self.s.client("198.51.100.50")
        path = f"/scorecards/tccs/770?year={YEAR}&format=json"
        first = pub.get(path)
        self._case(770)
        second = pub.get(path)
        self._case(771)
        newcomer = pub.get(f"/scorecards/tccs/771?year={YEAR}&format=json")
        aggregates = pub.get(f"{API}/aggregates/tcc")
        live = self.api.get(f"{API}/aggregates/tcc/live", headers=self.coord)
        staff = (
            [r for r in live.json() if r.get("tcc_ccode") == 770 and r.get("year") == YEAR] if live.is_success else []
        )
        table = pub.get(f"/scorecards/tccs?year={YEAR}&format=json")
        counts = re.findall(r'"(?:allegations|referrals[a-z_]*|n_[a-z_]+)"\s*:\s*(\d+)', first.text)
        held = (
            first.text == second.text
            and not counts
            and newcomer.status_code == 404
            and aggregates.status_code == 401
            and '"771"' not in table.text
            and ":771," not in table.text
        )
        return held, (
            f"open-year card of 770 answered {first.status_code} ({_said(first)}), the same bytes after "
            f"a new case: {first.text == second.text}, registry counts: {counts[:4] or 'none'}; a TCC after "
            f"its first allegation: {newcomer.status_code}; card table of {YEAR}: {table.status_code}; "
            f"/aggregates/tcc without login: {aggregates.status_code}; staff's live view of 770 in {YEAR}: "
            f"{staff[0].get('allegations') if staff else live.status_code} allegations"
        )

    # --- medium -------------------------------------------------------------------------------------
    def closed_year_moves(self) -> tuple[bool, str]:
        """The issue: a commanders-only module moved a nation's closed-year "trained" from 7 to 5 (here
        with counts large enough to be published)."""
        post = lambda path, body: self.api.post(f"{API}{path}", json=body, headers=self.coord)  # noqa: E731
        assert post("/training/modules", {"code": "THB-1", "title": "THB awareness"}).status_code == 201
        # 20 deployed, 6 commanders, 14 trained: published (no part under 5); recomputed with a
        # commanders-only module the 6 commanders would drop out (14 -> 8)
        for i in range(20):
            post(
                "/training/personnel",
                {
                    "service_number": f"SN-{i}",
                    "full_name": f"Person {i}",
                    "nation_ccode": 651,
                    "deployment_year": YEAR - 1,
                    "audience": "commanders" if i < 6 else "all",
                },
            )
            if i < 14:
                post(
                    "/training/completions",
                    {"service_number": f"SN-{i}", "module_code": "THB-1", "completed_on": f"{YEAR - 1}-03-01"},
                )
        before = self.api.get(f"{API}/aggregates/training", headers=self.coord)
        r = post("/training/modules", {"code": "THB-CMD", "title": "Command responsibility", "audience": "commanders"})
        after = self.api.get(f"{API}/aggregates/training", headers=self.coord)
        rows = [x for x in before.json() if x.get("nation_ccode") == 651] if before.status_code == 200 else []
        return (
            before.status_code == 200 and r.status_code == 201 and before.json() == after.json(),
            f"closed year {YEAR - 1} before {rows[:1]}, after the commanders-only module: "
            f"{'unchanged' if before.json() == after.json() else after.json()}",
        )

    def anonymous_order(self) -> tuple[bool, str]:
        """Interleave staff cases/replies with anonymous reports/follow-ups; order them from the
        database by id, rowid and the held audit rows."""
        truth: list[int] = []
        seen: set[int] = set()
        for i in range(8):
            self._case()
            receipt = (
                self.s.client(f"192.0.2.{i + 1}")
                .post(f"{API}/intake", json={"message": f"report {i}"})
                .json()["receipt"]
            )
            listed = self.api.get(f"{API}/intake/reports", headers=self.coord).json()
            new = [x["id"] for x in listed if x["id"] not in seen]
            truth += new
            seen.update(new)
            self.api.post(f"{API}/intake/reports/{new[0]}/replies", json={"message": f"staff {i}"}, headers=self.coord)
            self.s.client(f"192.0.2.{i + 1}").post(
                f"{API}/intake/thread/messages", json={"receipt": receipt, "message": f"follow-up {i}"}
            )
        with sqlite3.connect(self.db) as db:
            orders = {
                "intake_reports by id": [r[0] for r in db.execute("SELECT id FROM intake_reports ORDER BY id")],
                "intake_reports by rowid": [r[0] for r in db.execute("SELECT id FROM intake_reports ORDER BY rowid")],
                "held audit rows as stored": [
                    int(r[0]) for r in db.execute("SELECT entity_id FROM audit_anonymous WHERE action = 'create'")
                ],
            }
            msg_ids = [r[0] for r in db.execute("SELECT id FROM intake_messages ORDER BY rowid")]
            by_report = {
                r: [
                    m
                    for (m,) in db.execute("SELECT id FROM intake_messages WHERE report_id = ? ORDER BY position", (r,))
                ]
                for r in truth
            }
        true_messages = [m for r in truth for m in by_report[r]]
        recovered = [name for name, order in orders.items() if order == truth] + (
            ["intake_messages by rowid"] if msg_ids == true_messages else []
        )
        return not recovered, f"8 rounds; orders that recover the true one: {recovered or 'none'}"

    def lockout(self) -> tuple[bool, str]:
        """Ten wrong passwords per 15 minutes from any addresses kept the account locked."""
        pw = "probe-investigator-amber-harbour-7"
        assert self._user("owner1", pw).status_code == 201
        first = self.s.client("203.0.113.9").post(f"{API}/login", json={"username": "owner1", "password": pw})
        device = first.cookies.get("pw_device")
        for i in range(12):
            self.s.client(f"198.51.{i}.7").post(f"{API}/login", json={"username": "owner1", "password": "wrong-guess"})
        stranger = self.s.client("192.0.2.200").post(f"{API}/login", json={"username": "owner1", "password": pw})
        codes = []
        for i in range(3):
            with self.s.client(f"203.0.113.{20 + i}", cookies={"pw_device": device}) as c:
                codes.append(c.post(f"{API}/login", json={"username": "owner1", "password": pw}).status_code)
        return codes == [200, 200, 200], (
            f"after 12 wrong passwords from 12 networks the owner's device logs in: "
            f"{codes}; the right password from an unknown device meanwhile: {stranger.status_code} (account back-off)"
        )

    def confusable_usernames(self) -> tuple[bool, str]:
        assert self._user("inv1", "probe-investigator-amber-harbour-8").status_code == 201
        names = ["inv\u034f1", "inv1\ufe0f", "inv\u180b1", "\u0131nv1", "\u026anv1", "\u0456n\u03bd1"]
        codes = [self._user(n, "probe-look-alike-amber-harbour-9").status_code for n in names]
        return all(c in (409, 422) for c in codes), f"{len(names)} look-alikes of inv1 answered {codes}"

    # --- low ----------------------------------------------------------------------------------------
    def login_flood(self) -> tuple[bool, str]:
        """300 wrong-password logins at once from 300 /24 networks; the owner logs in meanwhile."""
        pw = "probe-investigator-amber-harbour-7"
        device = (
            self.s.client("203.0.113.30")
            .post(f"{API}/login", json={"username": "owner1", "password": pw})
            .cookies.get("pw_device")
        )

        async def run() -> tuple[float, int, list[int]]:
            body = json.dumps({"username": "nobody", "password": "wrong"}).encode()
            flood = [
                asyncio.create_task(post_login(self.s.port, body, f"10.{k // 256}.{k % 256}.7")) for k in range(300)
            ]
            await asyncio.sleep(0.2)
            t = time.perf_counter()
            status, _ = await post_login(
                self.s.port, json.dumps({"username": "owner1", "password": pw}).encode(), "203.0.113.31", device
            )
            wait = time.perf_counter() - t
            return wait, status, [s for s, _ in await asyncio.gather(*flood)]

        wait, status, codes = asyncio.run(run())
        return status == 200 and wait <= 1.0, (
            f"owner's login answered {status} in {wait * 1000:.0f} ms; flood "
            f"answered {codes.count(401)} x 401, {codes.count(429)} x 429"
        )

    def intake_flood(self) -> tuple[bool, str]:
        """30 /24 networks spend the overall intake budget (60/minute here); a quiet network reports."""
        codes = []
        for net in range(30):
            for host in range(3):
                r = self.s.client(f"100.64.{net}.{host + 1}").post(f"{API}/intake", json={"message": "flood"})
                codes.append(r.status_code)
        quiet = self.s.client("198.18.5.1").post(f"{API}/intake", json={"message": "a real report"})
        flooder = self.s.client("100.64.0.9").post(f"{API}/intake", json={"message": "flood"})
        return quiet.status_code == 201, (
            f"flood answered {codes.count(201)} x 201, {codes.count(429)} x 429; "
            f"then a quiet network: {quiet.status_code}, a flooding one: "
            f"{flooder.status_code}"
        )

    def long_passwords(self) -> tuple[bool, str]:
        long = "orchid lantern gravel harbour ferry " * 3
        r = self._user("longpw1", long)
        init = self._cli(["registry", "init", "--password-stdin"], self.tmp / "init1", long + "\n")
        return r.status_code in (201, 422) and init.returncode == 0, (
            f"POST /users with a {len(long)}-character password: {r.status_code}; "
            f"`registry init --password-stdin`: exit {init.returncode}"
        )

    def receipt_cookie(self) -> tuple[bool, str]:
        c = self.s.client("198.18.9.1")
        c.get("/report")
        r = c.post("/report", data={"message": "Soldiers near the port"}, headers={"Origin": self.s.url})
        cookie = r.cookies.get("pw_receipt") or ""
        raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)) if cookie else b""
        timed = raw[:1] == b"\x80"  # a Fernet token: version byte, then the second in clear
        shown = c.get("/report/receipt", cookies={"pw_receipt": cookie})
        replay = c.get("/report/receipt", cookies={"pw_receipt": cookie})
        first = bool(re.search(r'data-receipt="\d{20}"', shown.text))
        again = bool(re.search(r'data-receipt="\d{20}"', replay.text))
        return (
            r.status_code == 303 and not timed and first and not again,
            f"report {r.status_code}; cookie carries a time: {timed}; shown: {first}; replay shows it: {again}",
        )

    def hits_file_mode(self) -> tuple[bool, str]:
        d = self.tmp / "vet"
        d.mkdir()
        (d / "records.csv").write_text(
            "full_name,date_of_birth,nationality,category\nЮрий Иванов,1970-05-06,365,trafficking_related\n"
        )
        (d / "roster.csv").write_text("name,date_of_birth,nationality\nYuri Ivanov,1970-06-05,365\n")
        self._cli(["registry", "init", "--password-stdin"], d, COORD_PASSWORD + "\n")
        token = (d / "out" / "registry-coordinator.txt").read_text().split("token: ")[1].strip()
        self._cli(["registry", "vetting", "import-records", "records.csv"], d, token=token)
        out = self._cli(
            ["registry", "vetting", "screen", "roster.csv", "--out", "hits.csv"], d, umask=0o022, token=token
        )
        mode = stat.S_IMODE((d / "hits.csv").stat().st_mode) if (d / "hits.csv").exists() else None
        return mode == 0o600, f"exit {out.returncode}, hits.csv mode {oct(mode) if mode is not None else 'missing'}"

    def secure_cookies(self) -> tuple[bool, str]:
        tmp = self.tmp / "secure"
        tmp.mkdir()
        db_url = f"sqlite:///{tmp}/secure.sqlite"
        subprocess.run(
            [sys.executable, "-c", SEED, db_url, COORD_PASSWORD], env=_env(tmp, db_url), check=True, capture_output=True
        )
        server = LiveServer(tmp, db_url, secure=True)
        try:
            r = server.client().post(f"{API}/login", json={"username": "coord", "password": COORD_PASSWORD})
            cookies = r.headers.get_list("set-cookie")
        finally:
            server.stop()
        flags = {c.split("=")[0]: "secure" in c.lower() for c in cookies}
        return r.status_code == 200 and flags and all(flags.values()), f"API login cookies Secure: {flags}"

    def weak_passwords(self) -> tuple[bool, str]:
        codes = {p: self._user(f"weak{i}", p).status_code for i, p in enumerate(["peacewatch2026!", "Summer2026!!!"])}
        return all(c == 422 for c in codes.values()), f"answered {codes}"

    def predictable_username(self) -> tuple[bool, str]:
        names = []
        for k in (2, 3):
            d = self.tmp / f"init{k}"
            r = self._cli(["registry", "init", "--password-stdin"], d, COORD_PASSWORD + "\n")
            creds = d / "out" / "registry-coordinator.txt"
            names.append(
                creds.read_text().split("username: ")[1].split("\n")[0] if creds.exists() else f"exit {r.returncode}"
            )
        return names[0] != names[1] and all(re.fullmatch(r"coordinator-[a-z2-9]{8}", n) for n in names), (
            f"two inits named the first coordinator {names}"
        )

    def _cli(
        self, args: list[str], cwd: Path, stdin: str = "", umask: int | None = None, token: str | None = None
    ) -> subprocess.CompletedProcess:
        cwd.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEWATCH_")}
        env.update(PYTHONPATH=HERE_SRC, **({"PEACEWATCH_TOKEN": token} if token else {}))
        return subprocess.run(
            [sys.executable, "-m", "peacewatch.cli", *args],
            cwd=cwd,
            env=env,
            input=stdin,
            text=True,
            capture_output=True,
            timeout=300,
            preexec_fn=(lambda: os.umask(umask)) if umask else None,
        )


def _said(r: httpx.Response) -> str:
    """The first words of an answer's message."""
    try:
        body = r.json()
    except ValueError:
        return r.text[:80]
    text = body.get("message") or body.get("detail") or body.get("title") or "" if isinstance(body, dict) else ""
    return str(text)[:90]


def _env(tmp: Path, db_url: str) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=HERE_SRC, PEACEWATCH_DB_URL=db_url, PEACEWATCH_OUT_DIR=str(tmp))


#: (finding of issue 20, severity, probe)
PROBES: list[tuple[str, str, Callable[[Probes], tuple[bool, str]]]] = [
    ("public TCC scorecard of the open year (small cells, live polling)", "high", Probes.scorecard_open_year),
    ("closed years recomputed with today's modules", "medium", Probes.closed_year_moves),
    ("anonymous actions ordered against staff actions (SQLite file)", "medium", Probes.anonymous_order),
    ("strangers lock the owner out", "medium", Probes.lockout),
    ("first coordinator's username predictable", "medium", Probes.predictable_username),
    ("invisible marks and look-alike usernames", "medium", Probes.confusable_usernames),
    ("login flood delays real logins", "low", Probes.login_flood),
    ("receipt cookie timed and replayable", "low", Probes.receipt_cookie),
    ("~30 /24 networks close the anonymous channel", "low", Probes.intake_flood),
    ("passwords over 72 characters crash", "low", Probes.long_passwords),
    ("`vetting screen --out` file readable by others", "low", Probes.hits_file_mode),
    ("API login cookie ignores --secure-cookies", "low", Probes.secure_cookies),
    ("site and season words pass the password policy", "low", Probes.weak_passwords),
]


def main() -> None:
    os.environ.setdefault("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
    os.environ["PEACEWATCH_TRUSTED_PROXIES"] = "127.0.0.1"
    os.environ["PEACEWATCH_INTAKE_OVERALL"] = "60/minute"
    rows = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        db = tmp / "probes.sqlite"
        db_url = f"sqlite:///{db}"
        token = (
            subprocess.run(
                [sys.executable, "-c", SEED, db_url, COORD_PASSWORD],
                env=_env(tmp, db_url),
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        server = LiveServer(tmp, db_url)
        try:
            probes = Probes(server, tmp, db, token)
            for finding, severity, probe in PROBES:
                try:
                    held, evidence = probe(probes)
                except Exception as exc:  # noqa: BLE001 - a probe that cannot run is reported as such
                    held, evidence = False, f"probe failed to run: {type(exc).__name__}: {exc}"
                rows.append(f"| {finding} | {severity} | {'held' if held else 'FAILED'} | {evidence} |")
                print(rows[-1], flush=True)
        finally:
            server.stop()
    print("\n| finding (issue 20) | severity | result | evidence |\n|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()

"""Fixtures of the web tests: one live server (uvicorn in a thread) on a temporary SQLite registry,
seeded with users and cases through the registry's service layer, and one headless Chromium.

The server is shared by the HTTP and the browser tests of a session so that the panel and the
models are built once. Browser tests are marked ``browser`` and skip only when Debian's Chromium
is missing; screenshots go to ``test-output/screenshots/`` for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
PASSWORD = "correct horse battery"
TCC_A, TCC_B = 770, 771  # Pakistan, Bangladesh


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def web_env(tmp_path_factory):
    """Process environment of the registry: a fresh key and output directory, cheap password hashing
    (hashes record their parameters), room for the tests' anonymous reports; all restored at the end
    of the session."""
    from peacewatch.registry import auth

    out = tmp_path_factory.mktemp("web-out")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PEACEWATCH_SECRET_KEY", Fernet.generate_key().decode())
        mp.setenv("PEACEWATCH_OUT_DIR", str(out))
        mp.delenv("PEACEWATCH_DB_URL", raising=False)
        # One shared server serves every web test from 127.0.0.1: the anonymous channel's per-client
        # limit (5 a minute) would refuse the tests' own reports, and the login limits per client and
        # network the staff screens' logins of a whole run; the limits have their own tests.
        for name in (
            "INTAKE_PER_CLIENT",
            "INTAKE_PER_NETWORK",
            "LOOKUP_PER_CLIENT",
            "LOGIN_PER_CLIENT",
            "LOGIN_PER_NETWORK",
            "LOGIN_OVERALL",
        ):
            mp.setenv(f"PEACEWATCH_{name}", "100000/minute")
        mp.setattr(auth, "_SCRYPT", {"n": 2**4, "r": 8, "p": 1})
        yield out


@pytest.fixture(scope="session")
def server(web_env):
    """Base URL of a live peacewatch web app (stopped at the end of the session)."""
    import uvicorn

    from peacewatch.web.app import create_app
    from peacewatch.web.settings import WebSettings

    app = create_app(WebSettings(db_url=f"sqlite:///{web_env / 'registry.sqlite'}"))
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=srv.run, name="peacewatch-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test web server did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "app": app}
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server["url"]


@pytest.fixture(scope="session")
def seeded(server):
    """Users of every role and three cases: one overdue referral to TCC A, one referral to TCC B,
    one fresh allegation. Returns usernames and case ids."""
    from peacewatch.registry import auth, cases

    registry = server["app"].state.registry
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=200)
    with registry.session() as s:
        inv = auth.create_user(s, "ines.investigator", PASSWORD, auth.INVESTIGATOR).user
        auth.create_user(s, "cora.coordinator", PASSWORD, auth.COORDINATOR)
        auth.create_user(s, "liaison.pakistan", PASSWORD, auth.TCC_LIAISON, tcc_ccode=TCC_A)
        auth.create_user(s, "liaison.bangladesh", PASSWORD, auth.TCC_LIAISON, tcc_ccode=TCC_B)
        auth.create_user(s, "ana.analyst", PASSWORD, auth.ANALYST)
        ids = {}
        for name, tcc, when in (("overdue_a", TCC_A, long_ago), ("referred_b", TCC_B, None)):
            c = cases.create_case(
                s,
                inv,
                mission="MINUSTAH",
                tcc_ccode=tcc,
                category="sexual_exploitation",
                summary=f"Test allegation {name}",
                subject_name="Subject X",
                now=when,
            )
            for status in ("under_investigation", "substantiated", "referred_to_tcc"):
                cases.transition_case(s, inv, c.id, status, now=when)
            ids[name] = c.id
        fresh = cases.create_case(
            s, inv, mission="MONUSCO", tcc_ccode=TCC_A, category="sexual_abuse", summary="Fresh allegation"
        )
        ids["fresh"] = fresh.id
    return {"password": PASSWORD, "cases": ids}


@pytest.fixture()
def http(base_url):
    with httpx.Client(base_url=base_url, timeout=60, follow_redirects=True) as client:
        yield client


def form_token(client: httpx.Client) -> str:
    """The CSRF token a registry page puts into its forms for this client's ``pw_csrf`` cookie."""
    import re

    html = client.get("/registry/login").text
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post_form(client: httpx.Client, path: str, data: dict | None = None, **kwargs) -> httpx.Response:
    """POST a registry form the way a browser does: with the page's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": form_token(client)}, **kwargs)


@pytest.fixture(scope="session")
def login_as():
    """``login_as(client, username)``: log an httpx client in through the web login form."""

    def login(client: httpx.Client, username: str) -> httpx.Response:
        r = post_form(client, "/registry/login", {"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return r

    return login


# ------------------------------------------------------------------------------------ browser
@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (install Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, base_url):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def shot():
    """``shot(page, name)`` saves a full-page screenshot under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(pg, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return save

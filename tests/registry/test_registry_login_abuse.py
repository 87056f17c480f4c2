"""Login abuse (issue 20): strangers cannot lock the owner out, a flood from many addresses or
networks is refused before any password is hashed, and every login cookie honours
``--secure-cookies``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from peacewatch.registry import auth
from peacewatch.registry.throttle import DEVICE_COOKIE, device_token, known_device

from .conftest import API, web_app

RIGHT = {"username": "inv", "password": "inv-amber-harbour-7"}
WRONG = {"username": "inv", "password": "not-the-password"}


def _client(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000), follow_redirects=False)


def _count_hashing(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = auth.check_password
    monkeypatch.setattr(auth, "check_password", lambda p, h: calls.append(1) or real(p, h))
    return calls


def test_strangers_cannot_lock_the_owner_out_of_a_known_device(database_url, engine, people):
    app = web_app(database_url)
    owner = _client(app, "203.0.113.9")
    first = owner.post(f"{API}/login", json=RIGHT)
    assert first.status_code == 200 and "device" not in first.json()
    device = first.cookies.get(DEVICE_COOKIE)
    assert known_device("inv", device) is not None and known_device("coord", device) is None
    # the issue: ten wrong passwords from any addresses kept the account locked
    for i in range(12):
        _client(app, f"198.51.{i}.7").post(f"{API}/login", json=WRONG)
    stranger = _client(app, "192.0.2.77").post(f"{API}/login", json=RIGHT)
    assert stranger.status_code == 429 and "too many failed logins for this account" in stranger.json()["detail"]
    # a device cookie of another account, or a forged one, is an unknown device
    for other in (device_token("coord"), device.split(".")[0] + ".0000"):
        forged = _client(app, "203.0.113.11").post(f"{API}/login", json=RIGHT, cookies={DEVICE_COOKIE: other})
        assert forged.status_code == 429
    # the owner, from the device that logged in before, is not held back (and the wait ends)
    again = _client(app, "203.0.113.10").post(f"{API}/login", json=RIGHT, cookies={DEVICE_COOKIE: device})
    assert again.status_code == 200, again.text


def test_a_known_device_has_its_own_failure_budget(database_url, engine, people):
    app = web_app(database_url, login_per_device="3/15 minutes")
    device = _client(app, "203.0.113.9").post(f"{API}/login", json=RIGHT).cookies.get(DEVICE_COOKIE)
    c = _client(app, "203.0.113.9")
    codes = [c.post(f"{API}/login", json=WRONG, cookies={DEVICE_COOKIE: device}).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_a_flood_from_many_networks_is_refused_before_any_password_is_hashed(database_url, engine, people, monkeypatch):
    app = web_app(database_url, login_overall="20/minute")
    device = _client(app, "203.0.113.9").post(f"{API}/login", json=RIGHT).cookies.get(DEVICE_COOKIE)
    hashed = _count_hashing(monkeypatch)
    codes = [
        _client(app, f"10.{i}.0.1").post(f"{API}/login", json={"username": f"nobody{i}", "password": "x"}).status_code
        for i in range(40)
    ]
    assert codes.count(401) == 19 and codes.count(429) == 21  # the owner's login above took one
    assert len(hashed) == 19  # refused attempts cost no hashing time: the flood cannot queue the owner
    refused = _client(app, "10.99.0.1").post(f"{API}/login", json={"username": "x", "password": "x"})
    assert "too many login attempts right now" in refused.json()["detail"]
    owner = _client(app, "203.0.113.12").post(f"{API}/login", json=RIGHT, cookies={DEVICE_COOKIE: device})
    assert owner.status_code == 200


def test_one_network_is_limited_whatever_its_addresses(database_url, engine, people):
    app = web_app(database_url, login_per_network="10/minute")
    v4 = [
        _client(app, f"198.51.100.{i + 1}")
        .post(f"{API}/login", json={"username": f"n{i}", "password": "x"})
        .status_code
        for i in range(12)
    ]
    assert v4 == [401] * 10 + [429] * 2
    v6 = [
        _client(app, f"2001:db8:1:2::{i + 1:x}")
        .post(f"{API}/login", json={"username": f"m{i}", "password": "x"})
        .status_code
        for i in range(12)
    ]
    assert v6 == [401] * 10 + [429] * 2
    assert _client(app, "2001:db8:1:3::1").post(f"{API}/login", json=RIGHT).status_code == 200  # next /64


def test_every_login_cookie_is_secure_under_secure_cookies(database_url, engine, people):
    from peacewatch.registry.settings import SecuritySettings
    from peacewatch.web.app import create_app
    from peacewatch.web.settings import WebSettings

    app = create_app(WebSettings(db_url=database_url, preload=False, secure_cookies=True), SecuritySettings())
    r = _client(app, "203.0.113.9").post(f"{API}/login", json=RIGHT)
    cookies = r.headers.get_list("set-cookie")
    assert {c.split("=")[0] for c in cookies} == {"pw_token", DEVICE_COOKIE}
    assert all("secure" in c.lower() and "httponly" in c.lower() for c in cookies), cookies


def test_a_flood_waits_behind_no_more_than_a_few_password_checks(database_url, engine, people, monkeypatch):
    """The measured flood (BENCHMARKS.md, "Login under a flood"): the overall budget let hundreds of
    attempts through at once, each queued for scrypt, and the owner's login waited ~5 s behind them.
    Now only LOGIN_CHECKS_WAITING checks of unknown devices may be under way; a further attempt is
    refused on the event loop (no login thread, no hash), and a known device is let through."""
    import threading

    from peacewatch.registry.throttle import LOGIN_CHECKS_WAITING

    app = web_app(database_url)
    device = _client(app, "203.0.113.9").post(f"{API}/login", json=RIGHT).cookies.get(DEVICE_COOKIE)
    gate, entered = threading.Event(), threading.Semaphore(0)
    real_check = auth.check_password

    ran: list[str] = []  # the passwords whose check began

    def check(password, hashed):
        ran.append(password)
        if password == "flood":  # a flood attempt holds its place until the gate opens
            entered.release()
            gate.wait(60)
        return real_check(password, hashed)

    monkeypatch.setattr(auth, "check_password", check)
    codes: list[int] = []

    def flood(i: int) -> None:
        body = {"username": f"nobody{i}", "password": "flood"}
        codes.append(_client(app, f"10.{i}.0.1").post(f"{API}/login", json=body).status_code)

    held = [threading.Thread(target=flood, args=(i,)) for i in range(LOGIN_CHECKS_WAITING)]
    try:
        for t in held:
            t.start()
        for _ in held:
            assert entered.acquire(timeout=60)
        refused = _client(app, "10.200.0.1").post(f"{API}/login", json={"username": "nobody", "password": "x"})
        assert refused.status_code == 429 and "try again in a few seconds" in refused.json()["detail"]
        assert refused.headers["retry-after"] == "2"
        assert "x" not in ran  # answered before any password check (on the event loop)
        owner = _client(app, "203.0.113.12").post(f"{API}/login", json=RIGHT, cookies={DEVICE_COOKIE: device})
        assert owner.status_code == 200 and owner.json()["username"] == "inv"
    finally:
        gate.set()
        for t in held:
            t.join(60)
    assert codes == [401] * LOGIN_CHECKS_WAITING
    # the places are free again once the checks are over
    after = _client(app, "10.201.0.1").post(f"{API}/login", json={"username": "nobody2", "password": "x"})
    assert after.status_code == 401

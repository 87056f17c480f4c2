"""Request safety of the registry's doors, one regression test per finding (issues 9 and 10)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from peacewatch.registry.api import create_app
from peacewatch.registry.models import Case, IntakeReport
from peacewatch.registry.settings import SecuritySettings

from .conftest import API, CASE_BODY, web_app

HUGE_ID = "18446744073709551616"


def _token(web) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get("/registry/login").text).group(1)


def _cases(registry) -> int:
    with registry.session() as s:
        return s.execute(select(func.count(Case.id))).scalar_one()


def _reports(registry) -> int:
    with registry.session() as s:
        return s.execute(select(func.count(IntakeReport.id))).scalar_one()


# --- one door: the web form goes through the API's schema ---------------------------------------
@pytest.mark.parametrize(
    "field, value, words",
    [
        ("mission", "M" * 41, "Mission: String should have at most 40 characters"),
        ("mission", "M" * 100_000, "Mission: String should have at most 40 characters"),
        ("summary", "food for sex\x00hidden", "What is alleged: must not contain NUL characters"),
        ("subject_name", "Sgt\x00X", "Name of the accused: must not contain NUL characters"),
        ("tcc_ccode", "", "TCC of the accused: is required"),
    ],
)
def test_web_case_form_refuses_what_the_api_refuses(web, people, registry, field, value, words):
    form = {k: str(v) for k, v in CASE_BODY.items() if k != "victim"} | {field: value}
    before = _cases(registry)
    r = web.post("/registry/cases/new", data={**form, "csrf_token": _token(web)}, headers=people.headers("rep"))
    assert r.status_code == 422 and words in r.text
    assert _cases(registry) == before  # nothing stored
    api = web.post(f"{API}/cases", json={**CASE_BODY, field: value or None}, headers=people.headers("rep"))
    assert api.status_code == 422 and _cases(registry) == before


def test_web_victim_age_goes_through_the_schema(web, people, registry):
    form = {k: str(v) for k, v in CASE_BODY.items() if k != "victim"} | {"victim_age": "400"}
    r = web.post("/registry/cases/new", data={**form, "csrf_token": _token(web)}, headers=people.headers("inv"))
    assert r.status_code == 422 and "age: Input should be less than or equal to 120" in r.text


# --- rate limits: shared, per account, per client, per network ----------------------------------
def _client(app, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000), follow_redirects=False)


def test_login_limits_are_shared_by_api_and_web_and_follow_the_account(database_url, engine, people):
    app = web_app(database_url)
    wrong = {"username": "inv", "password": "not-the-password"}
    # Five wrong passwords, each from another address, alternating the API and the web form.
    for i in range(5):
        c = _client(app, f"198.51.100.{i + 1}")
        if i % 2:
            r = c.post("/registry/login", data={**wrong, "csrf_token": _token(c)})
        else:
            r = c.post(f"{API}/login", json=wrong)
        assert r.status_code == 401, r.text
    # The right password from a sixth address still waits: the back-off follows the account.
    r = _client(app, "203.0.113.50").post(f"{API}/login", json={"username": "inv", "password": "inv-amber-harbour-7"})
    assert r.status_code == 429 and "too many failed logins for this account" in r.json()["detail"]
    assert int(r.headers["retry-after"]) >= 1
    c = _client(app, "203.0.113.51")
    page = c.post(
        "/registry/login", data={"username": "inv", "password": "inv-amber-harbour-7", "csrf_token": _token(c)}
    )
    assert page.status_code == 429 and "too many failed logins for this account" in page.text
    # Another account is not affected.
    assert (
        _client(app, "203.0.113.52")
        .post(f"{API}/login", json={"username": "coord", "password": "coord-amber-harbour-7"})
        .status_code
        == 200
    )


def test_a_flood_of_unknown_users_from_one_client_does_not_lock_out_others(database_url, engine, people):
    app = web_app(database_url)
    flood = _client(app, "198.51.100.7")
    codes = [
        flood.post(f"{API}/login", json={"username": f"nobody{i}", "password": "x"}).status_code for i in range(25)
    ]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    refused = flood.post(f"{API}/login", json={"username": "nobody", "password": "x"})
    assert "too many login attempts from this connection" in refused.json()["detail"]
    # The flood is held at its own address (the overall cap is far away): a user elsewhere logs in.
    assert (
        _client(app, "203.0.113.8")
        .post(f"{API}/login", json={"username": "inv", "password": "inv-amber-harbour-7"})
        .status_code
        == 200
    )


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(database_url, engine, people):
    untrusted = _client(web_app(database_url), "127.0.0.1")
    codes = [
        untrusted.post(
            f"{API}/login", json={"username": f"x{i}", "password": "x"}, headers={"X-Forwarded-For": f"192.0.2.{i}"}
        ).status_code
        for i in range(22)
    ]
    assert codes.count(429) == 2  # one client, whatever the header says
    trusted = _client(web_app(database_url, trusted_proxies="127.0.0.1"), "127.0.0.1")
    codes = [
        trusted.post(
            f"{API}/login", json={"username": f"x{i}", "password": "x"}, headers={"X-Forwarded-For": f"192.0.2.{i}"}
        ).status_code
        for i in range(22)
    ]
    assert 429 not in codes  # each forwarded address is its own client behind a configured proxy
    with pytest.raises(ValueError, match="not an IP address or network"):
        SecuritySettings(trusted_proxies="proxy.example")


def test_serve_runs_uvicorn_without_its_proxy_header_trust(monkeypatch, tmp_path):
    import types

    import uvicorn

    from peacewatch.web.cli import serve_dashboard

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path))  # serve checks (and migrates) the registry first
    monkeypatch.setattr(
        "peacewatch.web.app.create_app", lambda settings=None: types.SimpleNamespace(state=types.SimpleNamespace())
    )
    serve_dashboard("127.0.0.1", 8000)
    assert seen["proxy_headers"] is False and seen["access_log"] is False


def test_one_client_rotating_addresses_cannot_close_the_intake_channel(database_url, engine, registry):
    app = create_app(database_url)
    codes = [
        _client(app, f"198.51.100.{i % 250 + 1}").post(f"{API}/intake", json={"message": f"spam {i}"}).status_code
        for i in range(125)
    ]
    assert codes.count(201) == 20  # the network's budget; the rest refused
    refused = _client(app, "198.51.100.99").post(f"{API}/intake", json={"message": "more"})
    assert refused.status_code == 429 and "many reports are arriving from your network" in refused.json()["detail"]
    genuine = _client(app, "203.0.113.20").post(f"{API}/intake", json={"message": "I saw soldiers take a girl"})
    assert genuine.status_code == 201
    assert _reports(registry) == 21


def test_intake_limits_name_the_budget_that_ran_out(database_url, engine):
    app = create_app(database_url, settings=SecuritySettings(intake_overall="3/minute"))
    for i in range(3):
        assert _client(app, f"192.0.2.{i}").post(f"{API}/intake", json={"message": "m"}).status_code == 201
    # the network has used its quiet allowance (2 in 10 minutes): the spent overall budget holds it
    r = _client(app, "192.0.2.9").post(f"{API}/intake", json={"message": "m"})
    assert r.status_code == 429 and "the reporting channel is receiving too many reports" in r.json()["detail"]
    one = create_app(database_url, settings=SecuritySettings(intake_per_client="1/minute"))
    c = _client(one, "192.0.2.50")
    assert c.post(f"{API}/intake", json={"message": "m"}).status_code == 201
    assert "you have sent several reports" in c.post(f"{API}/intake", json={"message": "m"}).json()["detail"]


# --- cross-site requests ------------------------------------------------------------------------
STATE_CHANGING = [
    "/registry/cases/new",
    "/registry/cases/1/transition",
    "/registry/referrals/1/extend",
    "/registry/intake/1/reply",
    "/registry/vetting/records",
    "/registry/vetting/screenings",
    "/registry/vetting/hits/1/decision",
    "/registry/compliance",
    "/registry/referrals/escalate",
    "/registry/logout",
    "/registry/login",
    "/registry/training/modules",
    "/registry/training/personnel",
    "/registry/training/completions",
    "/registry/users/inv/deactivate",
    "/registry/users/inv/reactivate",
]


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_every_form_needs_this_sites_token_and_origin(web, people, path):
    h = people.headers("coord")
    missing = web.post(path, data={"username": "coord", "password": "coord-amber-harbour-7"}, headers=h)
    assert missing.status_code == 403 and "reload the page" in missing.text
    forged = web.post(path, data={"csrf_token": "forged.token.value"}, headers=h)
    assert forged.status_code == 403
    token = _token(web)
    cross = web.post(
        path,
        data={"username": "coord", "password": "coord-amber-harbour-7", "csrf_token": token},
        headers={**h, "Origin": "https://evil.example"},
    )
    assert cross.status_code == 403 and "sent from another site" in cross.text
    cross_ref = web.post(path, data={"csrf_token": token}, headers={**h, "Referer": "https://evil.example/page"})
    assert cross_ref.status_code == 403
    # A token of another browser (another pw_csrf cookie) does not fit this one.
    other = TestClient(web.app, follow_redirects=False)
    stolen = other.post(path, data={"csrf_token": token}, headers=h)
    assert stolen.status_code == 403


def test_anonymous_form_refuses_other_sites_but_not_its_own_opaque_origin(web, registry):
    assert web.post("/report", data={"message": "m"}, headers={"Origin": "https://evil.example"}).status_code == 403
    # The report pages send no referrer, so browsers post them with "Origin: null".
    assert web.post("/report", data={"message": "m"}, headers={"Origin": "null"}).status_code == 303
    assert web.post("/registry/login", data={"csrf_token": _token(web)}, headers={"Origin": "null"}).status_code == 403


def test_login_with_token_and_same_origin_works(web, people):
    r = web.post(
        "/registry/login",
        data={"username": "coord", "password": "coord-amber-harbour-7", "csrf_token": _token(web)},
        headers={"Origin": "http://testserver"},
    )
    assert r.status_code == 303 and "pw_token" in r.cookies


# --- sizes ----------------------------------------------------------------------------------------
def test_bodies_over_the_limit_get_a_clear_413(database_url, engine, people):
    app = web_app(database_url, max_body_bytes=20_000, max_upload_bytes=60_000)
    c = TestClient(app, follow_redirects=False)
    big = {**CASE_BODY, "summary": "x" * 30_000}
    r = c.post(f"{API}/cases", json=big, headers=people.headers("inv"))
    assert r.status_code == 413 and "at most 20,000 bytes" in r.json()["detail"]
    # A body that does not announce its length is cut off while it streams in.
    chunks = (b" " * 1_000 for _ in range(30))
    r = c.post(f"{API}/cases", content=chunks, headers={**people.headers("inv"), "Content-Type": "application/json"})
    assert r.status_code == 413 and "at most 20,000 bytes" in r.json()["detail"]
    r = c.post("/report", data={"message": "x" * 30_000})
    assert r.status_code == 413 and "too large" in r.text
    r = c.post("/report", files={"attachment": ("big.bin", b"\0" * 50_000)}, data={"message": "m"})
    assert r.status_code == 413
    # CSV uploads have their own, larger limit.
    roster = "name,date_of_birth,nationality\n" + "Jane Roe,1990-01-01,2\n" * 1500  # ~33 kB
    ok = c.post(f"{API}/vetting/screenings", json={"csv": roster}, headers=people.headers("inv"))
    assert ok.status_code == 201
    token = _token(c)
    too_big = c.post(
        "/registry/vetting/screenings",
        headers=people.headers("inv"),
        data={"csrf_token": token},
        files={"roster": ("r.csv", (roster * 2).encode(), "text/csv")},
    )
    assert too_big.status_code == 413 and "60,000 bytes for a CSV upload" in too_big.text


def test_validation_errors_never_repeat_the_input(client, people):
    password = "Sup3r-Secret-" + "p" * 300
    r = client.post(f"{API}/login", json={"username": "inv", "password": password})
    assert r.status_code == 422 and "Sup3r-Secret" not in r.text
    assert r.json()["detail"][0]["loc"] == ["body", "password"]
    r = client.post(f"{API}/cases", json={**CASE_BODY, "summary": "S" * 500_000}, headers=people.headers("inv"))
    assert r.status_code == 422 and len(r.content) < 1_000 and "SSSS" not in r.text
    # One 422 shape, whether pydantic or the service layer refused the input.
    service = client.post(f"{API}/intake/thread", json={"receipt": "12345"})
    assert service.status_code == 422 and isinstance(service.json()["detail"], list)
    assert set(service.json()["detail"][0]) == {"loc", "msg", "type"}


def test_openapi_documents_every_status_and_one_422_shape(client):
    spec = client.get("/openapi.json").json()
    public = {"/login", "/logout", "/intake", "/intake/thread", "/intake/thread/messages"}
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            codes = set(op["responses"])
            where = f"{method.upper()} {path}"
            assert "422" in codes, where
            assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "/ValidationErrorOut"
            )
            if path[len(API) :] not in public:
                assert {"401", "429"} <= codes, where
                assert "403" in codes or path.endswith("/me"), where  # any role may ask who it is
            if "{" in path:
                assert "404" in codes, where
    assert "HTTPValidationError" not in spec.get("components", {}).get("schemas", {})


# --- path parameters ------------------------------------------------------------------------------
WEB_ID_ROUTES = [
    ("GET", "/registry/cases/{}"),
    ("GET", "/registry/cases/{}/victim"),
    ("GET", "/registry/intake/{}"),
    ("GET", "/registry/vetting/screenings/{}"),
    ("POST", "/registry/cases/{}/transition"),
    ("POST", "/registry/referrals/{}/extend"),
    ("POST", "/registry/intake/{}/reply"),
    ("POST", "/registry/vetting/hits/{}/decision"),
]
API_ID_ROUTES = [
    ("GET", "/cases/{}"),
    ("GET", "/cases/{}/victim"),
    ("POST", "/cases/{}/transitions"),
    ("POST", "/referrals/{}/extend"),
    ("GET", "/intake/reports/{}"),
    ("POST", "/intake/reports/{}/replies"),
    ("GET", "/vetting/screenings/{}/hits"),
    ("POST", "/vetting/hits/{}/decision"),
]


def test_huge_ids_are_refused_never_a_server_error(web, people):
    token = _token(web)
    h = people.headers("coord")
    for method, path in WEB_ID_ROUTES:
        r = web.request(
            method, path.format(HUGE_ID), headers=h, **({"data": {"csrf_token": token}} if method == "POST" else {})
        )
        assert r.status_code in (404, 422), f"{method} {path}: {r.status_code}"
    for method, path in API_ID_ROUTES:
        r = web.request(method, API + path.format(HUGE_ID), headers=h, **({"json": {}} if method == "POST" else {}))
        assert r.status_code in (404, 422), f"API {method} {path}: {r.status_code}"
    assert web.get(f"{API}/training/personnel/{'9' * 61}", headers=h).status_code == 422


# --- anonymous visitors and server-side problems --------------------------------------------------
def test_a_missing_key_gives_anonymous_visitors_a_generic_message(web, monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    r = web.post("/report", data={"message": "I saw something"})
    assert r.status_code == 503 and "cannot be received right now" in r.text
    assert "registry.key" not in r.text and str(tmp_path) not in r.text
    api = web.post(f"{API}/intake", json={"message": "I saw something"})
    assert api.status_code == 503 and "registry.key" not in api.text
    assert "registry.key" in caplog.text  # the operator finds the reason in the server log


# --- caching ---------------------------------------------------------------------------------------
def test_every_registry_response_is_private_and_varies_by_accept(web, people):
    h = people.headers("inv")
    for path, headers in [
        ("/registry/login", {}),
        ("/registry/cases", h),
        ("/registry/cases?format=json", h),
        (f"{API}/me", h),
        (f"{API}/me", {}),
        ("/report", {}),
        (f"{API}/cases/{HUGE_ID}", h),
    ]:
        r = web.get(path, headers=headers)
        assert r.headers["cache-control"] == "no-store", path
        assert "accept" in r.headers["vary"].lower(), path


# --- the receipt ------------------------------------------------------------------------------------
def test_receipt_is_post_redirect_get_and_shown_once(web, registry):
    form = web.get("/report")
    assert 'autocomplete="off"' in form.text and form.headers["cache-control"] == "no-store"
    r = web.post("/report", data={"message": "Soldiers near the port pay girls"})
    assert r.status_code == 303 and r.headers["location"] == "/report/receipt"
    assert "pw_receipt" in r.cookies and not re.search(r"\d{20}", r.headers["set-cookie"])
    shown = web.get("/report/receipt")
    receipt = re.search(r'data-receipt="(\d{20})"', shown.text).group(1)
    assert shown.headers["cache-control"] == "no-store"
    again = web.get("/report/receipt")  # reload: nothing filed, nothing shown
    assert "data-receipt" not in again.text and "shown only once" in again.text
    assert _reports(registry) == 1
    thread = web.post(f"{API}/intake/thread", json={"receipt": receipt}).json()
    assert thread["messages"][0]["text"] == "Soldiers near the port pay girls"


def test_receipt_cookie_has_no_time_and_a_replay_shows_nothing(web, registry):
    """Issue 20: the receipt cookie was a Fernet token (the second of the POST in clear) and could
    be replayed within its life. Now it is sealed without a time and used up on the server."""
    import base64
    import struct

    r = web.post("/report", data={"message": "Soldiers near the port pay girls"})
    cookie = r.cookies["pw_receipt"]
    raw = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
    if raw[:1] == b"\x80":  # a Fernet token: version byte, then the time in seconds
        pytest.fail(f"receipt cookie carries the time {struct.unpack('>Q', raw[1:9])[0]}")
    shown = web.get("/report/receipt")
    assert re.search(r'data-receipt="(\d{20})"', shown.text)
    web.cookies.set("pw_receipt", cookie, path="/report/receipt")  # the same cookie, sent again
    replay = web.get("/report/receipt")
    assert "data-receipt" not in replay.text and "shown only once" in replay.text


def test_no_web_form_stores_nul_bytes_or_over_long_text(web, people, registry, client):
    """Every form goes through its schema: a form error (422), never a 500 and nothing stored."""
    h = people.headers("coord")
    cid = client.post(f"{API}/cases", json=CASE_BODY, headers=h).json()["id"]
    client.post(f"{API}/intake", json={"message": "first"})
    rid = client.get(f"{API}/intake/reports", headers=h).json()[0]["id"]
    token = _token(web)
    for path, form in [
        (f"/registry/cases/{cid}/transition", {"to_status": "under_investigation", "note": "a\x00b"}),
        (f"/registry/intake/{rid}/reply", {"message": "x" * 20_001}),
        (f"/registry/intake/{rid}/reply", {"message": "a\x00b"}),
        ("/registry/compliance", {"nation_ccode": "770", "year": "2026", "notes": "a\x00b"}),
        ("/registry/compliance", {"nation_ccode": "770", "year": "99999"}),
        ("/registry/referrals/1/extend", {"days": "1" * 30}),
    ]:
        r = web.post(path, data={**form, "csrf_token": token}, headers=h)
        assert r.status_code == 422, f"{path}: {r.status_code}"
    case = client.get(f"{API}/cases/{cid}", headers=h).json()
    assert case["status"] == "reported" and len(case["events"]) == 1
    assert len(client.get(f"{API}/intake/reports/{rid}", headers=h).json()["messages"]) == 1
    assert client.get(f"{API}/compliance/reports", headers=h).json() == []
    for form in ({"message": "a\x00b"}, {"message": "x" * 20_001}, {"message": "m", "mission": "M" * 41}):
        assert web.post("/report", data=form).status_code == 422
    assert web.post("/report/follow-up", data={"receipt": "1" * 20, "message": "a\x00b"}).status_code == 422
    assert _reports(registry) == 1


def test_several_workers_share_one_csrf_secret_and_say_how_limits_multiply(monkeypatch, tmp_path, capsys):
    """A form served by one worker must be accepted by another: serve gives them one secret."""
    import uvicorn

    from peacewatch.web.cli import serve_dashboard

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    monkeypatch.setenv("PEACEWATCH_OUT_DIR", str(tmp_path))
    for name in ("PEACEWATCH_CSRF_SECRET", "PEACEWATCH_SECURE_COOKIES"):  # set, then removed: restored afterwards
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    serve_dashboard("127.0.0.1", 8000, workers=3)
    import os

    secret = os.environ["PEACEWATCH_CSRF_SECRET"]
    assert seen["workers"] == 3 and len(secret) >= 40
    assert SecuritySettings().csrf_secret == secret  # what each worker's app reads
    assert "a client may get up to 3 times each limit" in capsys.readouterr().err


def test_a_flood_from_many_networks_does_not_close_the_channel_for_a_quiet_network(database_url, engine):
    """Issue 20: about 30 /24 networks used to spend the overall budget and refuse every reporter.
    Now a network that has sent nothing lately still gets its report through (up to its quiet
    allowance), while the flooding networks stay refused."""
    app = create_app(
        database_url,
        settings=SecuritySettings(
            intake_overall="30/minute", intake_per_network="20/minute", intake_per_client="100/minute"
        ),
    )
    codes = [
        _client(app, f"10.{n}.0.{i}").post(f"{API}/intake", json={"message": "flood"}).status_code
        for n in range(1, 31)
        for i in range(3)
    ]
    assert codes.count(201) < len(codes) and 429 in codes  # the overall budget was spent by the flood
    flooder = _client(app, "10.1.0.200").post(f"{API}/intake", json={"message": "more"})
    assert flooder.status_code == 429
    quiet = _client(app, "203.0.113.7")
    assert quiet.post(f"{API}/intake", json={"message": "I saw soldiers take a girl"}).status_code == 201
    assert quiet.post(f"{API}/intake", json={"message": "and another"}).status_code == 201
    third = quiet.post(f"{API}/intake", json={"message": "a third"})  # its quiet allowance (2) is used
    assert third.status_code == 429 and "too many reports right now" in third.json()["detail"]

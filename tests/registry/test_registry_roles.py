"""Authentication and roles, route by route."""

from __future__ import annotations

import pytest

from .conftest import API, CASE_BODY, NAMES, TCC_A, TCC_B

ROLES = ["rep", "inv", "coord", "liaison_a", "analyst"]


@pytest.fixture
def world(client, people):
    """A referred case of TCC A, one of TCC B, an intake report, a screening and a person."""
    h = people.headers("coord")
    ids = {}
    for key, tcc in (("case_a", TCC_A), ("case_b", TCC_B)):
        cid = client.post(f"{API}/cases", json=dict(CASE_BODY, tcc_ccode=tcc), headers=people.headers("rep")).json()[
            "id"
        ]
        for st in ("under_investigation", "substantiated", "referred_to_tcc"):
            assert client.post(f"{API}/cases/{cid}/transitions", json={"to_status": st}, headers=h).status_code == 200
        ids[key] = cid
    ids["referral_a"] = client.get(f"{API}/cases/{ids['case_a']}", headers=h).json()["referral"]["id"]
    client.post(f"{API}/intake", json={"message": "I saw Imran Qureshi take a girl into the base"})
    ids["report"] = client.get(f"{API}/intake/reports", headers=h).json()[0]["id"]
    client.post(
        f"{API}/vetting/records",
        json={
            "full_name": "Imran Qureshi",
            "date_of_birth": "1985-02-03",
            "nationality_ccode": TCC_A,
            "category": "sexual_exploitation",
        },
        headers=h,
    )
    sc = client.post(
        f"{API}/vetting/screenings",
        json={"csv": "name,date_of_birth,nationality\nImran Qureshi,1985-02-03,770\n"},
        headers=h,
    ).json()
    ids["screening"] = sc["screening_id"]
    ids["hit"] = sc["hits"][0]["hit_id"]
    client.post(f"{API}/training/modules", json={"code": "THB-1", "title": "THB awareness"}, headers=h)
    client.post(
        f"{API}/training/personnel",
        json={"service_number": "PK-1", "full_name": "Imran Qureshi", "nation_ccode": TCC_A, "deployment_year": 2026},
        headers=h,
    )
    return ids


def _routes(ids):
    """(method, path, body, roles allowed) for every authenticated route."""
    a, b = ids["case_a"], ids["case_b"]
    return [
        ("GET", "/me", None, {"rep", "inv", "coord", "liaison_a", "analyst"}),
        ("GET", "/users", None, {"coord"}),
        ("POST", "/users", {"username": "new-{role}", "password": "long-enough-1", "role": "analyst"}, {"coord"}),
        ("POST", "/cases", CASE_BODY, {"rep", "inv", "coord"}),
        ("GET", "/cases", None, {"rep", "inv", "coord", "liaison_a"}),
        ("GET", f"/cases/{a}", None, {"rep", "inv", "coord", "liaison_a"}),
        ("GET", f"/cases/{b}", None, {"rep", "inv", "coord"}),
        ("GET", f"/cases/{a}/victim", None, {"inv", "coord"}),
        (
            "POST",
            f"/cases/{a}/transitions",
            {"to_status": "national_investigation_appointed", "officer_name": "Maj. X"},
            {"liaison_a", "coord"},
        ),
        ("GET", "/referrals", None, {"inv", "coord", "liaison_a"}),
        ("GET", "/referrals/overdue", None, {"inv", "coord", "liaison_a"}),
        ("POST", "/referrals/escalate", None, {"inv", "coord"}),
        ("POST", f"/referrals/{ids['referral_a']}/extend", {"days": 120}, {"coord"}),
        ("GET", "/intake/reports", None, {"inv", "coord"}),
        ("GET", f"/intake/reports/{ids['report']}", None, {"inv", "coord"}),
        ("POST", f"/intake/reports/{ids['report']}/replies", {"message": "Thank you"}, {"inv", "coord"}),
        ("POST", "/vetting/records", {"full_name": "A B", "category": "sexual_abuse"}, {"inv", "coord"}),
        (
            "POST",
            "/vetting/records/import",
            {"csv": "full_name,date_of_birth,nationality,category\nC D,,,sexual_abuse\n"},
            {"inv", "coord"},
        ),
        ("POST", "/vetting/screenings", {"csv": "name,date_of_birth,nationality\nA B,,\n"}, {"inv", "coord"}),
        ("GET", f"/vetting/screenings/{ids['screening']}/hits", None, {"inv", "coord"}),
        ("POST", f"/vetting/hits/{ids['hit']}/decision", {"decision": "not_a_match"}, {"inv", "coord"}),
        (
            "POST",
            "/compliance/reports",
            {"nation_ccode": TCC_A, "year": 2026, "provisions": {"training": "met"}},
            {"liaison_a", "coord"},
        ),
        ("GET", "/compliance/reports", None, {"liaison_a", "coord"}),
        ("POST", "/training/modules", {"code": "M-{role}", "title": "t"}, {"coord"}),
        ("GET", "/training/modules", None, {"liaison_a", "coord"}),
        (
            "POST",
            "/training/personnel",
            {"service_number": "S-{role}", "full_name": "n", "nation_ccode": TCC_A, "deployment_year": 2026},
            {"liaison_a", "coord"},
        ),
        ("GET", "/training/personnel/PK-1", None, {"liaison_a", "coord"}),
        (
            "POST",
            "/training/completions",
            {"service_number": "PK-1", "module_code": "THB-1", "completed_on": "2026-01-01"},
            {"liaison_a", "coord"},
        ),
        ("GET", "/aggregates/tcc", None, {"analyst", "coord", "inv"}),
        ("GET", "/aggregates/compliance", None, {"analyst", "coord", "inv"}),
        ("GET", "/aggregates/training", None, {"analyst", "coord", "inv"}),
        ("GET", "/aggregates/tcc/live", None, {"coord", "inv"}),  # the open year: staff only (issue 20)
        ("POST", "/aggregates/periods", {"year": 2025}, {"coord"}),
        ("GET", "/audit/verify", None, {"coord"}),
    ]


def _fill(body, role):
    if body is None:
        return None
    return {k: (v.format(role=role) if isinstance(v, str) and "{role}" in v else v) for k, v in body.items()}


def test_every_route_enforces_roles(client, people, world):
    """Each role gets 2xx where allowed and 403/404 elsewhere; no token gets 401."""
    routes = _routes(world)
    # Every authenticated route of the router is in the table (so a new route cannot skip this test).
    public = {
        ("POST", "/login"),
        ("POST", "/logout"),
        ("POST", "/intake"),
        ("POST", "/intake/thread"),
        ("POST", "/intake/thread/messages"),
    }
    spec = client.get("/openapi.json").json()
    declared = {(m.upper(), path[len(API) :]) for path, ops in spec["paths"].items() for m in ops}
    covered = {(m, p) for m, p, _, _ in routes}
    templ = {(m, p.split("/")[1]) for m, p in covered}
    for method, path in declared - public:
        assert (method, path.split("/")[1]) in templ, f"{method} {path} has no role test"
    failures = []
    for method, path, body, allowed in routes:
        r = client.request(method, API + path, json=_fill(body, "anon"))
        if r.status_code != 401:
            failures.append(f"no token {method} {path}: {r.status_code}")
        succeeded = False
        for role in ROLES:
            r = client.request(method, API + path, json=_fill(body, role), headers=people.headers(role))
            # A one-shot write (decision, transition) answers 409 to the second allowed role.
            ok = r.status_code < 300 or (r.status_code == 409 and succeeded)
            succeeded = succeeded or r.status_code < 300
            if role in allowed and not ok:
                failures.append(f"{role} {method} {path}: expected success, got {r.status_code} {r.text[:200]}")
            if role not in allowed and r.status_code not in (403, 404):
                failures.append(f"{role} {method} {path}: expected 403/404, got {r.status_code}")
    assert not failures, "\n".join(failures)


def test_liaison_cannot_read_another_tccs_cases(client, people, world):
    hb = people.headers("liaison_b")
    assert client.get(f"{API}/cases/{world['case_a']}", headers=hb).status_code == 404
    listed = client.get(f"{API}/cases", headers=hb).json()
    assert [c["id"] for c in listed] == [world["case_b"]]
    assert all(c["tcc_ccode"] == TCC_B for c in listed)
    refs = client.get(f"{API}/referrals", headers=hb).json()
    assert {r["tcc_ccode"] for r in refs} == {TCC_B}
    r = client.post(
        f"{API}/cases/{world['case_a']}/transitions",
        headers=hb,
        json={"to_status": "outcome_reported", "outcome": "no_action"},
    )
    assert r.status_code == 404
    r = client.post(
        f"{API}/compliance/reports", headers=hb, json={"nation_ccode": TCC_A, "year": 2026, "provisions": {}}
    )
    assert r.status_code == 403
    # Liaison A does see its own case, with the subject's name, but never the victim.
    ha = people.headers("liaison_a")
    own = client.get(f"{API}/cases/{world['case_a']}", headers=ha).json()
    assert own["subject_name"] == CASE_BODY["subject_name"]
    assert client.get(f"{API}/cases/{world['case_a']}/victim", headers=ha).status_code == 403


def test_analyst_never_sees_a_name(client, people, world, monkeypatch, registry):
    monkeypatch.setenv("PEACEWATCH_MIN_CELL", "1")  # cannot go below 5: still suppressed
    h = people.headers("analyst")
    seen = []
    for method, path, body, _ in _routes(world):
        r = client.request(method, API + path, json=_fill(body, "analyst"), headers=h)
        seen.append(r.text)
    tcc = client.get(f"{API}/aggregates/tcc", headers=h).json()
    assert tcc == []  # the cases are from this year, which is not over: nothing published yet
    import datetime as dt

    from peacewatch.registry import publication

    next_year = dt.datetime.now(dt.UTC).year + 1
    with registry.session() as s:
        later = publication.published(s, "tcc", as_of=dt.date(next_year, 4, 1))
    assert len(later) and later["allegations"].isna().all()  # 1-3 allegations: suppressed
    text = "\n".join(seen)
    for name in NAMES + ["Maj. X", "Imran", "Qureshi"]:
        assert name not in text


def test_login_sets_cookie_and_bearer_or_cookie_work(client, people):
    r = client.post(f"{API}/login", json={"username": "inv", "password": "wrong-password"})
    assert r.status_code == 401
    r = client.post(f"{API}/login", json={"username": "inv", "password": "inv-amber-harbour-7"})
    assert r.status_code == 200
    token = r.json()["token"]
    assert r.cookies.get("pw_token") == token
    client.cookies.clear()
    client.cookies.set("pw_token", token)
    assert client.get(f"{API}/me").json()["role"] == "investigator"
    client.cookies.clear()
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).json()["username"] == "inv"
    # A login opens another session: the user's other token keeps working.
    assert client.get(f"{API}/me", headers=people.headers("inv")).status_code == 200
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer nonsense"}).status_code == 401


def test_reporter_sees_progress_but_no_names(client, people, world):
    r = client.get(f"{API}/cases/{world['case_a']}", headers=people.headers("rep")).json()
    assert r["status"] == "referred_to_tcc" and len(r["events"]) == 4
    assert "subject_name" not in r and all(e["actor"] is None for e in r["events"])
    client.post(
        f"{API}/cases/{world['case_a']}/transitions",
        headers=people.headers("liaison_a"),
        json={"to_status": "national_investigation_appointed", "officer_name": "Maj. Hidden"},
    )
    text = client.get(f"{API}/cases/{world['case_a']}", headers=people.headers("rep")).text
    assert "Maj. Hidden" not in text and "liaison_a" not in text

"""One door: every role rule holds alike through the API, the CLI and the web screens.

Each operation is called by every role through every door that offers it; the roles that succeed
must be exactly the expected ones, and the others are refused (403/404, CLI exit 2). The expected
roles are written out here, independently of the code's own role tables.
"""

from __future__ import annotations

import itertools
import re

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from peacewatch.cli import app as cli_app
from peacewatch.registry import cases, vetting
from peacewatch.registry.models import AuditEntry

from .conftest import API, CASE_BODY, TCC_A, TCC_B

ROLES = ["rep", "inv", "coord", "liaison_a", "analyst"]
ALL = set(ROLES)
runner = CliRunner()
_counter = itertools.count(1)


def _referred_case(registry, people, tcc=TCC_A) -> dict:
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        c = cases.create_case(
            s,
            inv,
            mission="MINUSTAH",
            tcc_ccode=tcc,
            category="sexual_exploitation",
            summary="allegation",
            subject_name="Sgt. X",
            victim={"name": "V"},
        )
        for st in ("under_investigation", "substantiated", "referred_to_tcc"):
            cases.transition_case(s, inv, c.id, st)
        return {"case": c.id, "referral": c.referral.id}


def _hit(registry, people) -> dict:
    n = next(_counter)
    with registry.session() as s:
        inv = s.merge(people.users["inv"])
        vetting.add_record(
            s, inv, full_name=f"Imran Qureshi{n}", date_of_birth=None, nationality_ccode=TCC_A, category="sexual_abuse"
        )
        sc = vetting.screen_roster(
            s, inv, vetting.parse_roster(f"name,date_of_birth,nationality\nImran Qureshi{n},,770\n")
        )
        hits = vetting.screening_hits(s, inv, sc.id)
        return {"screening": sc.id, "hit": hits[0]["hit_id"]}


@pytest.fixture
def world(registry, people, client):
    ids = {"a": _referred_case(registry, people), "b": _referred_case(registry, people, TCC_B)}
    client.post(f"{API}/intake", json={"message": "I saw something at the gate"})
    ids["report"] = client.get(f"{API}/intake/reports", headers=people.headers("coord")).json()[0]["id"]
    ids["screening"] = _hit(registry, people)["screening"]
    h = people.headers("coord")
    client.post(f"{API}/training/modules", json={"code": "THB-1", "title": "THB awareness"}, headers=h)
    client.post(
        f"{API}/training/personnel",
        json={"service_number": "PK-1", "full_name": "A B", "nation_ccode": TCC_A, "deployment_year": 2026},
        headers=h,
    )
    return ids


def _own_case(client, people) -> int:
    """A case reported by the reporter and referred to TCC A (so its liaison sees it too)."""
    cid = client.post(f"{API}/cases", json=CASE_BODY, headers=people.headers("rep")).json()["id"]
    for st in ("under_investigation", "substantiated", "referred_to_tcc"):
        client.post(f"{API}/cases/{cid}/transitions", json={"to_status": st}, headers=people.headers("coord"))
    return cid


def _fresh_person(client, people) -> str:
    sn = f"PK-{next(_counter)}"
    client.post(
        f"{API}/training/personnel",
        json={"service_number": sn, "full_name": "C D", "nation_ccode": TCC_A, "deployment_year": 2026},
        headers=people.headers("coord"),
    )
    return sn


ROSTER = "name,date_of_birth,nationality\nJane Roe,1990-01-01,2\n"
RECORDS = "full_name,date_of_birth,nationality,category\nJohn Doe,1980-01-01,2,sexual_abuse\n"


def operations(registry, people, client, w, tmp_path):
    """(name, allowed roles, prepare() -> params, api, cli, web); each door is a function of params
    and role-unique text, or None where the door does not offer the operation."""
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "records.csv").write_text(RECORDS, encoding="utf-8")
    a, b, rep_id, scr = w["a"]["case"], w["b"]["case"], w["report"], w["screening"]
    none = lambda: {}  # noqa: E731
    fresh_case = lambda: _referred_case(registry, people)  # noqa: E731
    fresh_hit = lambda: _hit(registry, people)  # noqa: E731
    fresh_person = lambda: {"sn": _fresh_person(client, people)}  # noqa: E731
    uniq = lambda: {"n": next(_counter)}  # noqa: E731

    def fresh_user() -> dict:
        name = f"target{next(_counter)}"
        r = client.post(
            f"{API}/users",
            json={"username": name, "password": "long-enough-1", "role": "analyst"},
            headers=people.headers("coord"),
        )
        assert r.status_code == 201, r.text
        return {"u": name}

    case_form = {k: str(v) for k, v in CASE_BODY.items() if k != "victim"}
    case_cli = [
        "cases",
        "create",
        "--mission",
        "MINUSTAH",
        "--tcc",
        str(TCC_A),
        "--category",
        "sexual_abuse",
        "--summary",
        "s",
    ]
    return [
        ("me", ALL, none, lambda p: ("GET", "/me", None), None, None),
        ("list users", {"coord"}, none, lambda p: ("GET", "/users", None), lambda p: ["users", "list"], None),
        (
            "create user",
            {"coord"},
            uniq,
            lambda p: ("POST", "/users", {"username": f"u{p['n']}", "password": "long-enough-1", "role": "analyst"}),
            lambda p: ["users", "create", f"u{p['n']}", "--role", "analyst", "--password-stdin"],
            None,
        ),
        (
            "create case",
            {"rep", "inv", "coord"},
            none,
            lambda p: ("POST", "/cases", CASE_BODY),
            lambda p: case_cli,
            lambda p: ("POST", "/registry/cases/new", case_form),
        ),
        ("new case form", {"rep", "inv", "coord"}, none, None, None, lambda p: ("GET", "/registry/cases/new", None)),
        (
            "list cases",
            {"rep", "inv", "coord", "liaison_a"},
            none,
            lambda p: ("GET", "/cases", None),
            lambda p: ["cases", "list"],
            lambda p: ("GET", "/registry/cases", None),
        ),
        (
            "read own TCC's case",
            {"inv", "coord", "liaison_a"},
            none,
            lambda p: ("GET", f"/cases/{a}", None),
            lambda p: ["cases", "show", str(a)],
            lambda p: ("GET", f"/registry/cases/{a}", None),
        ),
        (
            "read other TCC's case",
            {"inv", "coord"},
            none,
            lambda p: ("GET", f"/cases/{b}", None),
            lambda p: ["cases", "show", str(b)],
            lambda p: ("GET", f"/registry/cases/{b}", None),
        ),
        (
            "reporter reads its own case",
            {"rep", "inv", "coord", "liaison_a"},
            lambda: {"c": _own_case(client, people)},
            lambda p: ("GET", f"/cases/{p['c']}", None),
            lambda p: ["cases", "show", str(p["c"])],
            lambda p: ("GET", f"/registry/cases/{p['c']}", None),
        ),
        (
            "victim details",
            {"inv", "coord"},
            none,
            lambda p: ("GET", f"/cases/{a}/victim", None),
            lambda p: ["cases", "victim", str(a)],
            lambda p: ("GET", f"/registry/cases/{a}/victim", None),
        ),
        (
            "name national officer",
            {"liaison_a", "coord"},
            fresh_case,
            lambda p: (
                "POST",
                f"/cases/{p['case']}/transitions",
                {"to_status": "national_investigation_appointed", "officer_name": "Maj. X"},
            ),
            lambda p: [
                "cases",
                "transition",
                str(p["case"]),
                "national_investigation_appointed",
                "--officer",
                "Maj. X",
            ],
            lambda p: (
                "POST",
                f"/registry/cases/{p['case']}/transition",
                {"to_status": "national_investigation_appointed", "officer_name": "Maj. X"},
            ),
        ),
        (
            "list referrals",
            {"inv", "coord", "liaison_a"},
            none,
            lambda p: ("GET", "/referrals", None),
            lambda p: ["referrals", "list"],
            None,
        ),
        (
            "overdue referrals",
            {"inv", "coord", "liaison_a"},
            none,
            lambda p: ("GET", "/referrals/overdue", None),
            lambda p: ["referrals", "overdue"],
            None,
        ),
        (
            "escalate",
            {"inv", "coord"},
            none,
            lambda p: ("POST", "/referrals/escalate", None),
            lambda p: ["referrals", "escalate"],
            lambda p: ("POST", "/registry/referrals/escalate", {}),
        ),
        (
            "extend deadline",
            {"coord"},
            fresh_case,
            lambda p: ("POST", f"/referrals/{p['referral']}/extend", {"days": 120}),
            lambda p: ["referrals", "extend", str(p["referral"]), "--days", "120"],
            lambda p: ("POST", f"/registry/referrals/{p['referral']}/extend", {"days": "120"}),
        ),
        (
            "list intake reports",
            {"inv", "coord"},
            none,
            lambda p: ("GET", "/intake/reports", None),
            lambda p: ["intake", "list"],
            lambda p: ("GET", "/registry/intake", None),
        ),
        (
            "read intake report",
            {"inv", "coord"},
            none,
            lambda p: ("GET", f"/intake/reports/{rep_id}", None),
            lambda p: ["intake", "show", str(rep_id)],
            lambda p: ("GET", f"/registry/intake/{rep_id}", None),
        ),
        (
            "reply to reporter",
            {"inv", "coord"},
            none,
            lambda p: ("POST", f"/intake/reports/{rep_id}/replies", {"message": "Thanks"}),
            lambda p: ["intake", "reply", str(rep_id), "Thanks"],
            lambda p: ("POST", f"/registry/intake/{rep_id}/reply", {"message": "Thanks"}),
        ),
        (
            "add misconduct record",
            {"inv", "coord"},
            none,
            lambda p: ("POST", "/vetting/records", {"full_name": "A B", "category": "sexual_abuse"}),
            lambda p: ["vetting", "add-record", "A B", "--category", "sexual_abuse"],
            None,
        ),
        (
            "import records",
            {"inv", "coord"},
            none,
            lambda p: ("POST", "/vetting/records/import", {"csv": RECORDS}),
            lambda p: ["vetting", "import-records", str(tmp_path / "records.csv")],
            lambda p: ("POST", "/registry/vetting/records", {"records_text": RECORDS}),
        ),
        ("vetting page", {"inv", "coord"}, none, None, None, lambda p: ("GET", "/registry/vetting", None)),
        (
            "screen roster",
            {"inv", "coord"},
            none,
            lambda p: ("POST", "/vetting/screenings", {"csv": ROSTER}),
            lambda p: ["vetting", "screen", str(tmp_path / "roster.csv")],
            lambda p: ("POST", "/registry/vetting/screenings", {"roster_text": ROSTER}),
        ),
        (
            "screening hits",
            {"inv", "coord"},
            none,
            lambda p: ("GET", f"/vetting/screenings/{scr}/hits", None),
            lambda p: ["vetting", "hits", str(scr)],
            lambda p: ("GET", f"/registry/vetting/screenings/{scr}", None),
        ),
        (
            "decide a hit",
            {"inv", "coord"},
            fresh_hit,
            lambda p: ("POST", f"/vetting/hits/{p['hit']}/decision", {"decision": "not_a_match"}),
            lambda p: ["vetting", "decide", str(p["hit"]), "not_a_match"],
            lambda p: ("POST", f"/registry/vetting/hits/{p['hit']}/decision", {"decision": "not_a_match"}),
        ),
        (
            "submit national report",
            {"liaison_a", "coord"},
            none,
            lambda p: (
                "POST",
                "/compliance/reports",
                {"nation_ccode": TCC_A, "year": 2026, "provisions": {"training": "met"}, "replace": True},
            ),
            lambda p: [
                "compliance",
                "submit",
                "--nation",
                str(TCC_A),
                "--year",
                "2026",
                "--training",
                "met",
                "--replace",
            ],
            lambda p: (
                "POST",
                "/registry/compliance",
                {"nation_ccode": str(TCC_A), "year": "2026", "training": "met", "replace": "yes"},
            ),
        ),
        (
            "list national reports",
            {"liaison_a", "coord"},
            none,
            lambda p: ("GET", "/compliance/reports", None),
            lambda p: ["compliance", "reports"],
            None,
        ),
        (
            "compliance screen",
            {"liaison_a", "coord", "inv", "analyst"},
            none,
            None,
            None,
            lambda p: ("GET", "/registry/compliance", None),
        ),
        (
            "add training module",
            {"coord"},
            uniq,
            lambda p: ("POST", "/training/modules", {"code": f"M{p['n']}", "title": "t"}),
            lambda p: ["training", "add-module", f"M{p['n']}", "t"],
            lambda p: ("POST", "/registry/training/modules", {"code": f"W{p['n']}", "title": "t"}),
        ),
        (
            "list training modules",
            {"liaison_a", "coord"},
            none,
            lambda p: ("GET", "/training/modules", None),
            lambda p: ["training", "modules"],
            None,
        ),
        (
            "register person",
            {"liaison_a", "coord"},
            uniq,
            lambda p: (
                "POST",
                "/training/personnel",
                {"service_number": f"S{p['n']}", "full_name": "n", "nation_ccode": TCC_A, "deployment_year": 2026},
            ),
            lambda p: [
                "training",
                "add-person",
                f"S{p['n']}",
                "n",
                "--nation",
                str(TCC_A),
                "--deployment-year",
                "2026",
            ],
            lambda p: (
                "POST",
                "/registry/training/personnel",
                {
                    "service_number": f"W{p['n']}",
                    "full_name": "n",
                    "nation_ccode": str(TCC_A),
                    "deployment_year": "2026",
                },
            ),
        ),
        (
            "person record",
            {"liaison_a", "coord"},
            none,
            lambda p: ("GET", "/training/personnel/PK-1", None),
            lambda p: ["training", "person", "PK-1"],
            None,
        ),
        (
            "record completion",
            {"liaison_a", "coord"},
            fresh_person,
            lambda p: (
                "POST",
                "/training/completions",
                {"service_number": p["sn"], "module_code": "THB-1", "completed_on": "2026-01-01"},
            ),
            lambda p: ["training", "complete", p["sn"], "THB-1", "--completed-on", "2026-01-01"],
            lambda p: (
                "POST",
                "/registry/training/completions",
                {"service_number": p["sn"], "module_code": "THB-1", "completed_on": "2026-01-01"},
            ),
        ),
        (
            "training screen",
            {"liaison_a", "coord", "inv", "analyst"},
            none,
            None,
            None,
            lambda p: ("GET", "/registry/training", None),
        ),
        (
            "past screenings",
            {"inv", "coord"},
            none,
            None,
            None,
            lambda p: ("GET", "/registry/vetting/screenings", None),
        ),
        (
            "escalation preview",
            {"inv", "coord"},
            none,
            None,
            None,
            lambda p: ("GET", "/registry/referrals/escalation?as_of=2099-01-01", None),
        ),
        (
            "TCC aggregates",
            {"analyst", "coord", "inv"},
            none,
            lambda p: ("GET", "/aggregates/tcc", None),
            lambda p: ["compliance", "tcc"],
            None,
        ),
        (
            "compliance aggregates",
            {"analyst", "coord", "inv"},
            none,
            lambda p: ("GET", "/aggregates/compliance", None),
            lambda p: ["compliance", "show"],
            None,
        ),
        (
            "training aggregates",
            {"analyst", "coord", "inv"},
            none,
            lambda p: ("GET", "/aggregates/training", None),
            lambda p: ["training", "show"],
            None,
        ),
        ("verify audit log", {"coord"}, none, lambda p: ("GET", "/audit/verify", None), None, None),
        ("audit trail", {"coord"}, none, None, None, lambda p: ("GET", "/registry/audit?case=1", None)),
        (
            "create user (web)",
            {"coord"},
            uniq,
            None,
            None,
            lambda p: (
                "POST",
                "/registry/users",
                {"username": f"w{p['n']}", "password": "long-enough-1", "role": "analyst"},
            ),
        ),
        (
            "reset password",
            {"coord"},
            fresh_user,
            lambda p: ("POST", f"/users/{p['u']}/password", {"password": "another-long-one"}),
            None,
            lambda p: ("POST", f"/registry/users/{p['u']}/password", {"password": "another-long-one"}),
        ),
        (
            "end sessions",
            {"coord"},
            fresh_user,
            lambda p: ("POST", f"/users/{p['u']}/revoke-sessions", None),
            None,
            lambda p: ("POST", f"/registry/users/{p['u']}/revoke-sessions", {}),
        ),
        ("one account", {"coord"}, fresh_user, None, None, lambda p: ("GET", f"/registry/users/{p['u']}", None)),
    ]


def _csrf(web) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', web.get("/registry/login").text).group(1)


def _call(door, spec, params, role, *, client, web, people, database_url):
    """Returns (succeeded, refused, description)."""
    if door == "api":
        method, path, body = spec(params)
        r = client.request(method, API + path, json=body, headers=people.headers(role))
        return r.status_code < 300, r.status_code in (403, 404), f"{r.status_code} {r.text[:160]}"
    if door == "cli":
        env = {"PEACEWATCH_DB_URL": database_url, "PEACEWATCH_TOKEN": people.tokens[role]}
        r = runner.invoke(cli_app, ["registry", *spec(params)], env=env, input="long-enough-1\n")
        refused = r.exit_code == 2 and bool(
            re.search(r"may not|visible to you|analysts see|cannot|no compliance", r.output)
        )
        return r.exit_code == 0, refused, f"exit {r.exit_code} {r.output[:160]}"
    method, path, form = spec(params)
    headers = people.headers(role)
    if method == "GET":
        r = web.get(path, headers=headers)
    else:
        r = web.post(path, data={**form, "csrf_token": _csrf(web)}, headers=headers)
    return r.status_code < 400, r.status_code in (403, 404), f"{r.status_code} {r.text[:160]}"


def test_every_role_rule_holds_through_every_door(registry, people, client, web, world, tmp_path, database_url):
    failures = []
    table = operations(registry, people, client, world, tmp_path)
    for name, allowed, prepare, api, cli, web_spec in table:
        for door, spec in (("api", api), ("cli", cli), ("web", web_spec)):
            if spec is None:
                continue
            for role in ROLES:
                ok, refused, what = _call(
                    door, spec, prepare(), role, client=client, web=web, people=people, database_url=database_url
                )
                if role in allowed and not ok:
                    failures.append(f"{door} {name} as {role}: expected success, got {what}")
                if role not in allowed and not refused:
                    failures.append(f"{door} {name} as {role}: expected refusal, got {what}")
    assert not failures, "\n".join(failures)
    # Every door is exercised: the table is not quietly shrinking to the API alone.
    assert sum(1 for t in table if t[4]) >= 25 and sum(1 for t in table if t[5]) >= 15


def _aggregate_reads(registry) -> int:
    with registry.session() as s:
        return s.execute(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "aggregate")
        ).scalar_one()


def test_aggregate_reads_are_audited_through_every_door(registry, people, client, web, database_url):
    before = _aggregate_reads(registry)
    assert client.get(f"{API}/aggregates/tcc", headers=people.headers("analyst")).status_code == 200
    assert _aggregate_reads(registry) == before + 1
    env = {"PEACEWATCH_DB_URL": database_url, "PEACEWATCH_TOKEN": people.tokens["analyst"]}
    assert runner.invoke(cli_app, ["registry", "training", "show"], env=env).exit_code == 0
    assert _aggregate_reads(registry) == before + 2
    # The web compliance screen shows two aggregates to an analyst: both reads are in the log.
    assert web.get("/registry/compliance", headers=people.headers("analyst")).status_code == 200
    assert _aggregate_reads(registry) == before + 4

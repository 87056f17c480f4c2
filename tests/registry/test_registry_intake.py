"""Anonymous whistleblower intake."""

from __future__ import annotations

from sqlalchemy import inspect, select

from peacewatch.registry.api import create_app
from peacewatch.registry.models import IntakeMessage, IntakeReport
from peacewatch.registry.settings import SecuritySettings

from .conftest import API


def test_report_receipt_reply_and_follow_up(client, people, registry):
    msg = "Contingent officers run a bar where girls from Moldova are held"
    r = client.post(
        f"{API}/intake",
        json={"message": msg, "mission": "UNMIK", "category": "trafficking_related"},
        headers={"User-Agent": "Mozilla/5.0 distinctive-agent", "X-Forwarded-For": "203.0.113.77"},
    )
    assert r.status_code == 201
    receipt = r.json()["receipt"]
    assert receipt.isdigit() and len(receipt) >= 16
    with registry.session() as s:
        report = s.execute(select(IntakeReport)).scalar_one()
        stored = [str(v) for v in (report.receipt_hash, report.received_on, report.mission, report.category)]
        assert receipt not in " ".join(stored) and len(report.receipt_hash) == 64
        cipher = bytes(s.execute(select(IntakeMessage.ciphertext)).scalar_one())
        assert b"Moldova" not in cipher
    # Nothing anywhere in the intake tables can hold an address, agent or exact time.
    cols = {c["name"] for t in ("intake_reports", "intake_messages") for c in inspect(registry.engine).get_columns(t)}
    assert cols == {
        "id",
        "receipt_hash",
        "received_on",
        "mission",
        "category",
        "status",
        "case_id",
        "report_id",
        "position",
        "author",
        "ciphertext",
    }
    rid = client.get(f"{API}/intake/reports", headers=people.headers("inv")).json()[0]["id"]
    client.post(
        f"{API}/intake/reports/{rid}/replies",
        json={"message": "Can you name the bar?", "status": "triaged"},
        headers=people.headers("inv"),
    )
    spaced = f"{receipt[:5]} {receipt[5:10]}-{receipt[10:]}"
    thread = client.post(f"{API}/intake/thread", json={"receipt": spaced}).json()
    assert thread["status"] == "triaged"
    assert [(m["author"], m["text"]) for m in thread["messages"]] == [
        ("reporter", msg),
        ("staff", "Can you name the bar?"),
    ]
    more = client.post(
        f"{API}/intake/thread/messages", json={"receipt": receipt, "message": "Bar Kosova, Pristina"}
    ).json()
    assert more["messages"][-1] == {
        "on": more["messages"][-1]["on"],
        "author": "reporter",
        "text": "Bar Kosova, Pristina",
    }
    staff = client.get(f"{API}/intake/reports/{rid}", headers=people.headers("coord")).json()
    assert len(staff["messages"]) == 3


def test_wrong_or_malformed_receipt(client):
    client.post(f"{API}/intake", json={"message": "x"})
    assert client.post(f"{API}/intake/thread", json={"receipt": "1" * 20}).status_code == 404
    r = client.post(f"{API}/intake/thread", json={"receipt": "12345"})
    assert r.status_code == 422 and "20 digits" in r.json()["detail"][0]["msg"]


def test_intake_is_rate_limited(registry):
    from fastapi.testclient import TestClient

    settings = SecuritySettings(intake_per_client="3/minute")
    with TestClient(create_app(registry=registry, settings=settings)) as c:
        codes = [c.post(f"{API}/intake", json={"message": f"m{i}"}).status_code for i in range(5)]
        refused = c.post(f"{API}/intake", json={"message": "again"})
    assert codes == [201, 201, 201, 429, 429]
    assert "several reports in a short time" in refused.json()["detail"] and int(refused.headers["retry-after"]) >= 1
    with registry.session() as s:
        assert len(s.execute(select(IntakeReport)).all()) == 3

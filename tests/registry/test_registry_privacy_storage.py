"""Anonymous actions leave no time of day anywhere, and the registry's files are owner-only."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import struct

import pytest
from sqlalchemy import inspect, select, text
from typer.testing import CliRunner

from peacewatch.cli import app
from peacewatch.registry import audit, auth, cases, intake
from peacewatch.registry.db import make_engine
from peacewatch.registry.errors import UnsafeFile
from peacewatch.registry.models import AuditEntry
from peacewatch.registry.service import Registry
from peacewatch.registry.translog import entries

from .conftest import TCC_A

DAY = dt.datetime(2026, 11, 30)
CLOCK = re.compile(r"\d{1,2}:\d{2}")


def _at(monkeypatch, when: dt.datetime) -> None:
    monkeypatch.setattr(entries, "now", lambda: when)


def _fernet_time(token: bytes) -> int:
    return struct.unpack(">Q", base64.urlsafe_b64decode(bytes(token))[1:9])[0]


def _anonymous_actions(registry) -> str:
    with registry.session() as s:
        receipt = intake.submit_report(s, "A peacekeeper took the passports of three girls", mission="MINUSCA")
    with registry.session(read_only=True) as s:
        intake.read_thread(s, receipt)
    with registry.session() as s:
        intake.add_information(s, receipt, "They are held near the airport")
    return receipt


def test_anonymous_actions_leave_no_time_of_day_in_any_table(registry, monkeypatch):
    _at(monkeypatch, DAY.replace(hour=14, minute=37, second=12))
    _anonymous_actions(registry)
    registry.sequencer.sync()
    checked = 0
    with registry.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    where = f"{table}.{column}={value!r:.80}"
                    if isinstance(value, dt.datetime):
                        assert value.time() == dt.time(0), where
                    elif isinstance(value, str):
                        assert not CLOCK.search(value), where
                    elif isinstance(value, (bytes, memoryview)) and bytes(value[:4]) == b"gAAA":
                        # Fernet tokens carry their creation time in clear: midnight only.
                        assert _fernet_time(value) % 86400 == 0, where
                    checked += 1
    assert checked > 20
    with registry.session(read_only=True) as s:
        held = s.execute(select(audit.ANON.c.day, audit.ANON.c.action)).all()
    assert sorted(held) == [("2026-11-30", "add"), ("2026-11-30", "create"), ("2026-11-30", "read")]


def test_anonymous_entries_join_the_log_after_the_day_in_one_batch(registry, monkeypatch):
    _at(monkeypatch, DAY.replace(hour=9))
    with registry.session() as s:
        inv = auth.create_user(s, "inv", "inv-amber-harbour-7", auth.INVESTIGATOR)
    _at(monkeypatch, DAY.replace(hour=10))
    with registry.as_user(inv.token) as (s, u):
        cases.create_case(s, u, mission="MINUSCA", tcc_ccode=TCC_A, category="sexual_abuse", summary="staff at ten")
    _at(monkeypatch, DAY.replace(hour=14))
    _anonymous_actions(registry)
    _at(monkeypatch, DAY.replace(hour=16))
    with registry.as_user(inv.token) as (s, u):
        cases.list_cases(s, u)
    with registry.session(read_only=True) as s:
        assert "anonymous" not in s.execute(select(AuditEntry.actor)).scalars().all()
    _at(monkeypatch, DAY.replace(day=30) + dt.timedelta(days=1, hours=8))
    with registry.as_user(inv.token) as (s, u):
        cases.list_cases(s, u)
    with registry.session(read_only=True) as s:
        log = s.execute(
            select(AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.seq)
        ).all()
        r = audit.verify(s)
    assert r.ok, r.problem
    anon = [e for e in log if e.actor == "anonymous"]
    assert sorted(e.action for e in anon) == ["add", "create", "read"]
    assert {e.at for e in anon} == {"2026-11-30"}
    # After every staff entry of that day (no order among them leaks a time), before the next day's.
    staff_that_day = [e.seq for e in log if e.actor != "anonymous" and e.at.startswith("2026-11-30")]
    seqs = [e.seq for e in anon]
    assert max(staff_that_day) < min(seqs) and max(seqs) - min(seqs) == 2
    assert log[-1].at.startswith("2026-12-01T08")


def test_database_key_and_checkpoint_files_are_0600_whatever_the_umask(tmp_path, monkeypatch):
    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    monkeypatch.chdir(tmp_path)
    old = os.umask(0o000)
    try:
        r = CliRunner().invoke(app, ["registry", "init", "--password-stdin"], input="first-coordinator\n")
        assert r.exit_code == 0, r.output
        token = (tmp_path / "out" / "registry-coordinator.txt").read_text().split("token: ")[1].strip()
        reg = Registry()
        with reg.as_user(token) as (s, u):
            cases.create_case(s, u, mission="UNMISS", tcc_ccode=TCC_A, category="sexual_abuse", summary="x")
            # While the connection is open SQLite's -wal and -shm files exist.
            files = sorted((tmp_path / "out").iterdir())
            assert {f.name for f in files} >= {
                "peacewatch.sqlite",
                "peacewatch.sqlite-wal",
                "peacewatch.sqlite-shm",
                "registry.key",
                "audit-signing.key",
            }
            modes = {f.name: f.stat().st_mode & 0o777 for f in files}
        reg.dispose()
        r = CliRunner().invoke(app, ["registry", "audit", "checkpoint", "--out", str(tmp_path / "cp")])
        assert r.exit_code == 0, r.output
        modes["cp"] = (tmp_path / "cp").stat().st_mode & 0o777
    finally:
        os.umask(old)
    assert modes and all(m == 0o600 for m in modes.values()), modes


@pytest.mark.parametrize("victim", ["peacewatch.sqlite", "peacewatch.sqlite-wal", "registry.key", "audit-signing.key"])
def test_a_file_readable_by_others_is_refused(tmp_path, monkeypatch, victim):
    monkeypatch.delenv("PEACEWATCH_SECRET_KEY")
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(app, ["registry", "init", "--password-stdin"], input="first-coordinator\n").exit_code == 0
    path = tmp_path / "out" / victim
    path.touch()
    path.chmod(0o644)
    r = CliRunner().invoke(app, ["registry", "init"])
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1] == (
        f"error: {path} is readable or writable by group or others (mode 0644); "
        f"it holds registry secrets: run `chmod 600 {path}` and start again"
    )
    if victim.startswith("peacewatch.sqlite"):
        with pytest.raises(UnsafeFile):
            make_engine(f"sqlite:///{tmp_path / 'out' / 'peacewatch.sqlite'}")

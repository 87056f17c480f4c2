"""Killing the process in the middle of writes loses no committed data and leaves the audit tree intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import func, select

from peacewatch.registry import audit
from peacewatch.registry.db import make_engine
from peacewatch.registry.models import AuditEntry, Case, CaseEvent
from peacewatch.registry.service import Registry

WRITER = textwrap.dedent("""
    import sys
    from peacewatch.registry.service import Registry
    from peacewatch.registry import cases
    reg = Registry(sys.argv[1])
    i = 0
    while True:
        i += 1
        with reg.as_user(sys.argv[2]) as (s, u):
            c = cases.create_case(s, u, mission="UNMIK", tcc_ccode=770, category="trafficking_related",
                                  summary=f"case {i} " + "x" * 2000, victim={"name": f"victim {i}"})
            cases.transition_case(s, u, c.id, "under_investigation")
            cid = c.id
        # Printed only after the commit returned: every id we read is committed.
        print(cid, flush=True)
""")


def test_kill_mid_write_loses_no_committed_case(registry, people, database_url):
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, database_url, people.tokens["inv"]],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    committed = []
    try:
        while len(committed) < 40:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            committed.append(int(line))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with registry.session() as s:
        stored = set(s.execute(select(Case.id)).scalars())
        assert set(committed) <= stored
        # Nothing half-written: each stored case has both its events, and the audit chain verifies.
        counts = dict(s.execute(select(CaseEvent.case_id, func.count()).group_by(CaseEvent.case_id)).all())
        assert all(counts.get(cid) == 2 for cid in stored)
        assert all(c.status == "under_investigation" for c in s.execute(select(Case)).scalars())
        result = audit.verify(s)
        assert result.ok, result.problem
        assert result.entries >= 6 + 2 * len(committed)


BURST = textwrap.dedent("""
    import sys, threading
    from peacewatch.registry.service import Registry
    from peacewatch.registry import audit, cases
    reg = Registry(sys.argv[1])
    tag = sys.argv[3]
    lock = threading.Lock()

    def say(line):
        with lock:
            print(line, flush=True)

    def work(k):
        i = 0
        while True:
            i += 1
            if i % 2:
                with reg.as_user(sys.argv[2], read_only=True) as (s, u):
                    audit.record(s, u.username, "read", "marker", f"{tag}-{k}-{i}")
                say(f"R {tag}-{k}-{i}")  # acknowledged: the entry is a durable leaf
            else:
                with reg.as_user(sys.argv[2]) as (s, u):
                    cid = cases.create_case(s, u, mission="UNMIK", tcc_ccode=770, category="sexual_abuse",
                                            summary=f"burst {tag} {k} {i}").id
                say(f"W {cid}")

    for k in range(4):
        threading.Thread(target=work, args=(k,), daemon=True).start()
    threading.Event().wait()
""")


def test_kill_during_a_burst_of_two_processes_loses_no_acknowledged_entry(registry, people, database_url):
    """Two worker processes, four threads each, reads and writes: kill -9 both mid-burst."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BURST, database_url, people.tokens["inv"], tag],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        for tag in ("p1", "p2")
    ]
    acked: list[str] = []
    try:
        while len(acked) < 120:
            for p in procs:
                line = p.stdout.readline()
                assert line, p.stderr.read()
                acked.append(line.strip())
    finally:
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            p.wait()
    # Read the database as left by the killed processes, before any sequencer runs again.
    raw = make_engine(database_url)
    with raw.connect() as conn:
        leaves = conn.execute(select(AuditEntry.action, AuditEntry.entity, AuditEntry.entity_id)).all()
        result = audit.verify(conn)
    raw.dispose()
    assert result.ok, result.problem
    markers = {e for a, ent, e in leaves if ent == "marker"}
    created = {e for a, ent, e in leaves if ent == "case" and a == "create"}
    assert {line[2:] for line in acked if line.startswith("R ")} <= markers
    assert {line[2:] for line in acked if line.startswith("W ")} <= created
    assert any(line.startswith("R ") for line in acked) and any(line.startswith("W ") for line in acked)
    # A new process sweeps what was committed but not yet sequenced: every stored case has its leaf.
    fresh = Registry(database_url)
    with fresh.session(read_only=True) as s:
        stored = {str(c) for c in s.execute(select(Case.id)).scalars()}
        created = set(
            s.execute(
                select(AuditEntry.entity_id).where(AuditEntry.entity == "case", AuditEntry.action == "create")
            ).scalars()
        )
        after = audit.verify(s)
    fresh.dispose()
    assert stored <= created
    assert after.ok and after.held_anonymous == 0, after.problem

"""Killing the process in the middle of writes loses no committed data and leaves the chain intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from sqlalchemy import func, select

from peacewatch.registry import audit
from peacewatch.registry.models import Case, CaseEvent

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
    proc = subprocess.Popen([sys.executable, "-c", WRITER, database_url, people.tokens["inv"]],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())
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
